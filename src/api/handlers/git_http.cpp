// Git smart HTTP: info/refs, git-upload-pack, git-receive-pack, run through
// `git <service> --stateless-rpc` with the request body streamed into the child and its
// output streamed back (no whole-pack buffering). Auth as the Hub: anonymous reads of
// public repos; a 401 Basic challenge whenever credentials could help; 404 for a private
// repo the (authenticated) caller cannot see.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "api/request_auth.h"
#include "core/hash.h"
#include "http/hub_error.h"
#include "core/log.h"
#include "http/gunzip.h"
#include "services/discussions.h"
#include "services/limits.h"
#include "services/names.h"
#include "services/post_push.h"
#include "services/receive_checks.h"
#include "services/refs_changed.h"
#include "services/repos.h"
#include "storage/git/pack_process.h"
#include "storage/git/pkt_line.h"

namespace hub::api::handlers {

namespace git = storage::git;

namespace {
constexpr int kIoTimeoutMs = 10 * 60 * 1000;       // a child silent this long is stuck
constexpr size_t kEarlyOutputCap = 64u << 20;       // output the child writes before input ends
constexpr uint64_t kMaxInflated = 16ull << 30;      // gzip upload-pack request bodies, decompressed
// A push's bookkeeping (post_push.h) usually takes milliseconds: the response waits this long
// for it, so a client that pushes and then reads sees its push indexed. A tree bomb's does
// not hold the worker longer; it finishes on the queue.
constexpr auto kPostPushWait = std::chrono::seconds(3);

Response challenge(std::string_view message) {
  // Challenges go to anonymous callers only: the mapping's 401 + RepoNotFound.
  auto r = http::error_response(Error{Errc::not_found, std::string(message), Detail::RepoNotFound}, true);
  r.set_header("WWW-Authenticate", "Basic realm=\"hubd\"");
  return r;
}

// The repo for a git request, or the response that refuses it.
std::variant<services::RepoHandle, Response> authorize(Context& ctx, Request& req, std::string_view type,
                                                       services::Access need) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return challenge(p.error().message);
  std::string name = req.params["name"];
  if (name.ends_with(".git")) name.resize(name.size() - 4);
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], name, need);
  if (h) return std::move(*h);
  const Error& e = h.error();
  // Old clone URLs keep working: the same path under the new name.
  if (e.detail == Detail::RepoMoved) return moved_redirect(req, e.message);
  if (e.detail == Detail::GatedRepo && p->anonymous()) {  // git then asks for credentials
    auto r = to_response(e, &*p);
    r.set_header("WWW-Authenticate", "Basic realm=\"hubd\"");
    return r;
  }
  if ((e.detail == Detail::RepoNotFound || e.code == Errc::unauthenticated) && p->anonymous())
    return challenge(e.code == Errc::unauthenticated ? e.message : "Repository not found");
  return to_response(e, &*p);
}

// A push by a user who may contribute but not write (issue 17): allowed when they have open
// PRs on the repo, and then only to those PRs' refs (the pre-receive hook enforces the list).
// Returns "" for writers, the space-separated refs otherwise, or the refusal.
std::variant<std::string, Response> push_only_refs(Context& ctx, Request& req, const services::RepoHandle& h) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return challenge(p.error().message);
  if (services::can_write(ctx.hub, *p, h.row)) return std::string();
  std::string refs;
  for (const auto& r : services::own_open_pr_refs(ctx.hub, *p, h.row)) refs += (refs.empty() ? "" : " ") + r;
  if (refs.empty()) return to_response(Error{Errc::forbidden, "You don't have write access to " + h.row.full_id()}, &*p);
  return refs;
}

Result<size_t> read_fd(int fd, char* buf, size_t cap) {
  for (;;) {
    ssize_t n = ::read(fd, buf, cap);
    if (n >= 0) return size_t(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return fail(Errc::io, std::string("reading from git: ") + std::strerror(errno));
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, kIoTimeoutMs);
    if (r == 0) return fail(Errc::io, "git produced no output for too long");
  }
}

// Copies the request body into the child's stdin, at most max_bytes of it (counted after gzip
// inflation). Output the child writes meanwhile is kept in `early` so neither side can block
// the other on a full pipe.
Result<void> pump_input(http::BodySource& src, git::PackProcess& proc, std::string& early, uint64_t max_bytes) {
  std::vector<char> buf(256 * 1024);
  int in = proc.stdin_fd(), out = proc.stdout_fd();
  uint64_t total = 0;
  for (;;) {
    auto n = src.read(buf.data(), buf.size());
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    total += *n;
    if (total > max_bytes)
      return fail(Errc::too_large, "The push is larger than this hub accepts (" + services::describe_bytes(max_bytes) +
                                       ", HUBD_MAX_PUSH_MB); store large files with Git LFS");
    size_t off = 0;
    while (off < *n) {
      pollfd fds[2] = {{in, POLLOUT, 0}, {out, POLLIN, 0}};
      int r = ::poll(fds, 2, kIoTimeoutMs);
      if (r == 0) return fail(Errc::io, "git stopped reading its input");
      if (r < 0) {
        if (errno == EINTR) continue;
        return fail(Errc::io, "poll failed");
      }
      if (fds[1].revents & POLLIN) {
        char tmp[65536];
        ssize_t m = ::read(out, tmp, sizeof tmp);
        if (m > 0) {
          early.append(tmp, size_t(m));
          if (early.size() > kEarlyOutputCap) return fail(Errc::io, "git wrote too much before its input ended");
        }
      }
      if (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) {
        ssize_t w = ::write(in, buf.data() + off, *n - off);
        if (w < 0) {
          if (errno == EAGAIN || errno == EINTR) continue;
          // EPIPE: git exited early (it reports why on stdout); stop feeding it.
          return {};
        }
        off += size_t(w);
      }
    }
  }
  return {};
}

// Replays bytes already read from the body, then the rest of it.
class PrefixedSource final : public http::BodySource {
 public:
  PrefixedSource(std::string prefix, http::BodySource& rest) : prefix_(std::move(prefix)), rest_(rest) {}
  Result<size_t> read(char* buf, size_t cap) override {
    if (off_ < prefix_.size()) {
      size_t n = std::min(cap, prefix_.size() - off_);
      std::memcpy(buf, prefix_.data() + off_, n);
      off_ += n;
      return n;
    }
    return rest_.read(buf, cap);
  }

 private:
  std::string prefix_;
  size_t off_ = 0;
  http::BodySource& rest_;
};

// A streamed response from the child's stdout, preceded by `prefix`; reaps the child after.
// `after` runs once: when the child's output ended (completed, on the thread that streams the
// response, before the response's end is sent), or from on_done when it never did.
Response stream_child(std::shared_ptr<git::PackProcess> proc, std::string prefix, std::string content_type,
                      std::function<void(bool completed)> after = {}) {
  Response res;
  res.set_header("Content-Type", content_type);
  res.set_header("Cache-Control", "no-cache, max-age=0, must-revalidate");
  auto completed = std::make_shared<bool>(false);
  auto off = std::make_shared<size_t>(0);
  auto after_fn = std::make_shared<std::function<void(bool)>>(std::move(after));
  res.stream = [proc, prefix = std::move(prefix), completed, off, after_fn](char* buf, size_t cap) -> Result<size_t> {
    if (*off < prefix.size()) {
      size_t n = std::min(cap, prefix.size() - *off);
      std::memcpy(buf, prefix.data() + *off, n);
      *off += n;
      return n;
    }
    auto n = read_fd(proc->stdout_fd(), buf, cap);
    if (n && *n == 0 && !*completed) {
      *completed = true;
      if (*after_fn) {
        (void)proc->wait();  // the child is done with the repository
        (*after_fn)(true);
        *after_fn = nullptr;
      }
    }
    return n;
  };
  res.on_done = [proc, completed, after_fn] {
    // A client that went away mid-response leaves the child useless: stop it.
    if (!*completed) proc->kill(SIGKILL);
    auto st = proc->wait();
    if (st && !st->ok() && *completed)
      log::warn("git exited with an error", {{"code", std::to_string(st->code)}, {"stderr", proc->stderr_text()}});
    if (*after_fn) (*after_fn)(false);
  };
  return res;
}
}  // namespace

Response git_info_refs(Context& ctx, Request& req, std::string_view type) {
  auto svc = git::parse_service(req.query_param("service").value_or(""));
  if (!svc) return Response::error(403, "Only the smart HTTP protocol is supported (service=git-upload-pack|git-receive-pack)");
  bool receive = *svc == git::PackService::receive_pack;
  auto auth = authorize(ctx, req, type, receive ? services::Access::contribute : services::Access::content);
  if (auto* r = std::get_if<Response>(&auth)) return std::move(*r);
  auto& h = std::get<services::RepoHandle>(auth);
  if (receive) {
    auto only = push_only_refs(ctx, req, h);
    if (auto* r = std::get_if<Response>(&only)) return std::move(*r);
  }
  git::PackOptions opts;
  opts.advertise_refs = true;
  opts.git_protocol = std::string(req.header("Git-Protocol").value_or(""));
  opts.nonblocking = true;
  auto proc = git::PackProcess::start(*svc, h.path, opts);
  if (!proc) return to_response(proc.error());
  proc->close_stdin();
  return stream_child(std::make_shared<git::PackProcess>(std::move(*proc)),
                      git::info_refs_preamble(*svc, opts.git_protocol), git::advertisement_content_type(*svc));
}

Response git_service(Context& ctx, Request& req, std::string_view type, std::string_view service) {
  auto svc = git::parse_service(service);
  if (!svc) return Response::error(404, "Not found");
  if (req.header("Content-Type").value_or("") != git::request_content_type(*svc))
    return Response::error(415, "Expected Content-Type " + git::request_content_type(*svc));
  bool receive = *svc == git::PackService::receive_pack;
  auto auth = authorize(ctx, req, type, receive ? services::Access::contribute : services::Access::content);
  if (auto* r = std::get_if<Response>(&auth)) return std::move(*r);
  auto h = std::get<services::RepoHandle>(std::move(auth));
  std::string only_refs;  // set for a PR author without write access
  if (receive) {
    auto only = push_only_refs(ctx, req, h);
    if (auto* r = std::get_if<Response>(&only)) return std::move(*r);
    only_refs = std::get<std::string>(std::move(only));
  }

  services::RefSnapshot before;
  if (receive) {
    auto s = services::snapshot_refs(h.path);
    if (!s) return to_response(s.error());
    before = std::move(*s);
  }
  git::PackOptions opts;
  opts.git_protocol = receive ? "" : std::string(req.header("Git-Protocol").value_or(""));
  opts.nonblocking = true;
  uint64_t max_body = kMaxInflated;
  if (receive) {
    auto setup = services::receive_pack_setup(ctx.hub);
    if (!setup) return to_response(setup.error());
    opts.config = std::move(setup->config);
    opts.extra_env = std::move(setup->env);
    if (!only_refs.empty()) opts.extra_env.push_back(std::string(services::kPushOnlyRefsEnv) + "=" + only_refs);
    max_body = setup->max_body_bytes;
  }
  auto started = git::PackProcess::start(*svc, h.path, opts);
  if (!started) return to_response(started.error());
  auto proc = std::make_shared<git::PackProcess>(std::move(*started));

  std::string early;
  http::BodySource* src = req.body_source;
  std::unique_ptr<http::GunzipSource> gz;
  auto enc = req.header("Content-Encoding").value_or("");
  if (enc == "gzip" || enc == "x-gzip") {
    gz = std::make_unique<http::GunzipSource>(*src, max_body + 1);
    src = gz.get();
  } else if (!enc.empty() && enc != "identity") {
    proc->kill(SIGKILL);
    return Response::error(415, "Unsupported Content-Encoding");
  }
  // Both requests are pkt-line streams: refuse anything else before git sees it.
  char head[4];
  size_t got = 0;
  while (got < sizeof head) {
    auto n = src->read(head + got, sizeof head - got);
    if (!n || *n == 0) break;
    got += *n;
  }
  if (got < sizeof head || !git::next_pkt_line(std::string_view(head, sizeof head))) {
    proc->kill(SIGKILL);
    return Response::error(400, "The request body is not a git pkt-line stream");
  }
  PrefixedSource body(std::string(head, sizeof head), *src);
  if (auto r = pump_input(body, *proc, early, max_body); !r) {
    proc->kill(SIGKILL);
    (void)proc->wait();
    return to_response(r.error().code == Errc::io ? Error{Errc::invalid_argument, r.error().message, {}} : r.error());
  }
  proc->close_stdin();

  std::function<void(bool)> after;
  if (receive) {
    after = [&hub = ctx.hub, h, before = std::move(before)](bool completed) {
      // Whatever the client saw, record exactly what changed on disk: on the post-push queue,
      // never on the network thread that may run on_done.
      auto ticket = services::submit_post_push(hub, h, before);
      if (completed) (void)ticket.wait_for(kPostPushWait);
    };
  }
  return stream_child(proc, std::move(early), git::result_content_type(*svc), std::move(after));
}

}  // namespace hub::api::handlers
