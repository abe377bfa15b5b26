// Smart-HTTP plumbing: PackProcess runs `git upload-pack` / `git receive-pack --stateless-rpc`
// on a bare repository; the HTTP layer streams the request body into stdin_fd() and
// stdout_fd() into the response (no whole-pack buffering), then wait()s for the exit status
// (a receive-pack that exited 0 has applied the pushed ref updates; re-index afterwards).
// The caller inflates a `Content-Encoding: gzip` request body (git sends one for large
// upload-pack requests) before writing it to stdin; git expects the raw protocol stream.
// Also pkt-line helpers and the content types of the four smart-HTTP bodies.
// Thread-safety: as Subprocess; the free functions are pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/git/subprocess.h"

namespace hub::storage::git {

enum class PackService { upload_pack, receive_pack };

// "git-upload-pack" / "git-receive-pack" (the ?service= value and URL suffix).
std::string_view service_name(PackService s);
std::optional<PackService> parse_service(std::string_view name);

// Content-Type of GET info/refs, of the POST request body, and of the POST response.
std::string advertisement_content_type(PackService s);  // application/x-git-...-advertisement
std::string request_content_type(PackService s);        // application/x-git-...-request
std::string result_content_type(PackService s);         // application/x-git-...-result

struct PackOptions {
  // true for GET info/refs (--advertise-refs), false for the POST exchange.
  bool advertise_refs = false;
  // The request's Git-Protocol header (e.g. "version=2"); passed to upload-pack as
  // GIT_PROTOCOL. receive-pack speaks v0 only and never gets it.
  std::string git_protocol;
  std::string git_binary = "git";
  std::vector<std::string> extra_env;  // "KEY=VALUE" added to the minimal environment
  // "key=value" given to git as `-c key=value` (command-line config, which the repository's
  // own config cannot override): e.g. receive.maxInputSize, core.hooksPath.
  std::vector<std::string> config;
  bool nonblocking = false;            // O_NONBLOCK on the parent's pipe ends
};

class PackProcess : public Subprocess {
 public:
  // Spawns `git -c safe.directory=* [-c config...] <service> --stateless-rpc [--advertise-refs] <abs path>`
  // with a minimal environment (PATH, LC_ALL=C, GIT_CONFIG_NOSYSTEM=1, no global config,
  // GIT_PROTOCOL for upload-pack) so only the repository's own config applies.
  static Result<PackProcess> start(PackService service, const std::string& repo_path,
                                   const PackOptions& opts = {});
  PackService service() const { return service_; }

 private:
  PackProcess(Subprocess p, PackService s) : Subprocess(std::move(p)), service_(s) {}
  PackService service_;
};

// Writes `<dir>/pre-receive`, a hook that runs `"$HUBD_HOOK_BIN" git-hook pre-receive` (the
// variable comes from PackOptions::extra_env), unless it is there already with that content.
// For receive-pack with config core.hooksPath=<dir>.
Result<void> install_pre_receive_hook(const std::string& dir);

// Streams one blob's raw bytes (`git cat-file blob <oid>`) on stdout_fd(): for serving large
// non-LFS files without holding them in memory. Exit status non-zero if the oid is unknown.
Result<Subprocess> open_blob_stream(const std::string& repo_path, std::string_view blob_oid,
                                    bool nonblocking = false);

// One pkt-line: 4 hex digits of total length, then the payload (at most 65516 bytes).
std::string pkt_line(std::string_view payload);
inline constexpr std::string_view kFlushPkt = "0000";
// True if a Git-Protocol header value asks for protocol v2 ("version=2", ':'-separated keys).
bool is_protocol_v2(std::string_view git_protocol);
// What GET info/refs sends before the advertisement: pkt_line("# service=<svc>\n") + flush,
// as git http-backend does; empty for protocol v2 upload-pack (v2 starts with "version 2").
std::string info_refs_preamble(PackService s, std::string_view git_protocol = {});

}  // namespace hub::storage::git
