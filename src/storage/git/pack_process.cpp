#include "storage/git/pack_process.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/fs.h"
#include "core/hash.h"

namespace hub::storage::git {
namespace {

std::vector<std::string> minimal_env(const std::vector<std::string>& extra) {
  const char* path = std::getenv("PATH");
  std::vector<std::string> env = {
      std::string("PATH=") + (path && *path ? path : "/usr/local/bin:/usr/bin:/bin"),
      "LC_ALL=C",
      // Only the repository's config (written by Repo::init_bare) shapes the server's
      // behaviour, not whatever the host's /etc/gitconfig or ~/.gitconfig say.
      "GIT_CONFIG_NOSYSTEM=1",
      "GIT_CONFIG_GLOBAL=/dev/null",
      "GIT_TERMINAL_PROMPT=0",
  };
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::string absolute(const std::string& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

std::string type_for(PackService s, const char* kind) {
  return "application/x-" + std::string(service_name(s)) + "-" + kind;
}

}  // namespace

std::string_view service_name(PackService s) {
  return s == PackService::upload_pack ? "git-upload-pack" : "git-receive-pack";
}

std::optional<PackService> parse_service(std::string_view name) {
  if (name == "git-upload-pack") return PackService::upload_pack;
  if (name == "git-receive-pack") return PackService::receive_pack;
  return std::nullopt;
}

std::string advertisement_content_type(PackService s) { return type_for(s, "advertisement"); }
std::string request_content_type(PackService s) { return type_for(s, "request"); }
std::string result_content_type(PackService s) { return type_for(s, "result"); }

Result<PackProcess> PackProcess::start(PackService service, const std::string& repo_path,
                                       const PackOptions& opts) {
  SpawnOptions so;
  // safe.directory from the command line counts as protected config: repositories belong to
  // the server even when the data dir is owned by another service user.
  so.argv = {opts.git_binary, "-c", "safe.directory=*"};
  for (const auto& c : opts.config) {
    so.argv.push_back("-c");
    so.argv.push_back(c);
  }
  so.argv.push_back(service == PackService::upload_pack ? "upload-pack" : "receive-pack");
  so.argv.push_back("--stateless-rpc");
  if (opts.advertise_refs) so.argv.push_back("--advertise-refs");
  // --strict: the path must be the repository itself, never "<path>/.git".
  if (service == PackService::upload_pack) so.argv.push_back("--strict");
  so.argv.push_back(absolute(repo_path));
  std::vector<std::string> extra = opts.extra_env;
  if (service == PackService::upload_pack && !opts.git_protocol.empty()) {
    extra.push_back("GIT_PROTOCOL=" + opts.git_protocol);
  }
  so.env = minimal_env(extra);
  so.nonblocking = opts.nonblocking;
  auto p = Subprocess::spawn(so);
  if (!p) return std::unexpected(p.error());
  return PackProcess(std::move(*p), service);
}

Result<void> install_pre_receive_hook(const std::string& dir) {
  static constexpr std::string_view kScript =
      "#!/bin/sh\n"
      "# Installed by hubd: checks what a push brings against the hub's limits before any ref moves.\n"
      "exec \"$HUBD_HOOK_BIN\" git-hook pre-receive\n";
  std::string path = dir + "/pre-receive";
  if (auto now = fs::read_file(path, 4096); now && *now == kScript) return {};
  if (auto r = fs::make_dirs(dir); !r) return r;
  if (auto r = fs::write_file_atomic(path, kScript); !r) return r;
  if (::chmod(path.c_str(), 0755) != 0) return fail(Errc::io, "cannot make " + path + " executable");
  return {};
}

Result<Subprocess> open_blob_stream(const std::string& repo_path, std::string_view blob_oid,
                                    bool nonblocking) {
  if (!is_hex(blob_oid, 40)) {
    return fail(Errc::invalid_argument, "not a blob id: " + std::string(blob_oid));
  }
  SpawnOptions so;
  so.argv = {"git", "-c", "safe.directory=*", "--git-dir=" + absolute(repo_path), "cat-file",
             "blob", std::string(blob_oid)};
  so.env = minimal_env({});
  so.nonblocking = nonblocking;
  return Subprocess::spawn(so);
}

std::string pkt_line(std::string_view payload) {
  HUB_ASSERT(payload.size() <= 65516 && "pkt-line payload limit");
  char len[5];
  std::snprintf(len, sizeof len, "%04zx", payload.size() + 4);
  std::string out(len, 4);
  out.append(payload);
  return out;
}

bool is_protocol_v2(std::string_view git_protocol) {
  while (!git_protocol.empty()) {
    size_t colon = git_protocol.find(':');
    std::string_view key = git_protocol.substr(0, colon);
    if (key == "version=2") return true;
    if (colon == std::string_view::npos) break;
    git_protocol.remove_prefix(colon + 1);
  }
  return false;
}

std::string info_refs_preamble(PackService s, std::string_view git_protocol) {
  if (s == PackService::upload_pack && is_protocol_v2(git_protocol)) return {};
  std::string out = pkt_line("# service=" + std::string(service_name(s)) + "\n");
  out.append(kFlushPkt);
  return out;
}

}  // namespace hub::storage::git
