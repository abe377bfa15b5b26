#include "http/session.h"

#include <poll.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "core/log.h"

namespace hub::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using namespace net::experimental::awaitable_operators;

namespace {

constexpr size_t kChunk = 256 * 1024;

// Reads a streamed request body synchronously on a worker thread. The session coroutine is
// suspended while the handler runs, so nothing else touches the stream meanwhile. The socket
// is switched to non-blocking mode for the duration: a read that would block returns at once
// and only then do we poll(), bounded by the timeout, so a stalled client cannot hold a worker
// forever and a fast one costs one recv per buffer, not a poll plus a recv.
class SocketBodySource final : public BodySource {
 public:
  SocketBodySource(beast::tcp_stream& s, beast::flat_buffer& b, bhttp::request_parser<bhttp::buffer_body>& p,
                   std::chrono::seconds timeout)
      : stream_(s), buf_(b), parser_(p), timeout_ms_(int(timeout.count() * 1000)) {
    boost::system::error_code ec;
    stream_.socket().non_blocking(true, ec);
  }
  ~SocketBodySource() override {
    boost::system::error_code ec;
    stream_.socket().non_blocking(false, ec);
  }

  Result<size_t> read(char* dst, size_t cap) override {
    if (cap == 0 || parser_.is_done()) return size_t(0);
    auto& body = parser_.get().body();
    body.data = dst;
    body.size = cap;
    body.more = true;
    for (;;) {
      boost::system::error_code ec;
      bhttp::read_some(stream_.socket(), buf_, parser_, ec);
      size_t got = cap - body.size;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec == net::error::would_block || ec == net::error::try_again) {
        if (got > 0) {
          body.data = nullptr;
          return got;
        }
        pollfd p{stream_.socket().native_handle(), POLLIN, 0};
        int r = ::poll(&p, 1, timeout_ms_);
        if (r == 0) return fail(Errc::io, "timed out waiting for the request body");
        if (r < 0 && errno != EINTR) return fail(Errc::io, "poll failed on the request body");
        continue;
      }
      if (ec) return fail(Errc::io, "reading the request body: " + ec.message());
      if (got > 0 || parser_.is_done()) {
        body.data = nullptr;
        return got;
      }
    }
  }

 private:
  beast::tcp_stream& stream_;
  beast::flat_buffer& buf_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  int timeout_ms_;
};

Response call_handler(const Route& route, Request& req) {
  try {
    return route.handler(req);
  } catch (const std::exception& e) {
    log::error("handler threw", {{"path", req.path}, {"what", e.what()}});
  } catch (...) {
    log::error("handler threw", {{"path", req.path}});
  }
  return Response::error(500, "Internal server error");
}

// Fills method, target, path, query, headers; false on a malformed query string.
bool fill_request(const bhttp::request_header<>& h, Request& req) {
  req.method = std::string(h.method_string());
  req.target = std::string(h.target());
  std::string_view t = req.target;
  size_t q = t.find('?');
  req.path = std::string(t.substr(0, q));
  for (auto& f : h) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  if (q == std::string_view::npos) return true;
  std::string_view qs = t.substr(q + 1);
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view kv = qs.substr(0, amp);
    if (!kv.empty()) {
      size_t eq = kv.find('=');
      auto k = percent_decode(kv.substr(0, eq), true);
      auto v = percent_decode(eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1), true);
      if (!k || !v) return false;
      req.query.emplace_back(std::move(*k), std::move(*v));
    }
    if (amp == std::string_view::npos) break;
    qs.remove_prefix(amp + 1);
  }
  return true;
}

std::string base_url_of(const Request& req, const ServerConfig& cfg) {
  if (!cfg.public_url.empty()) return cfg.public_url;
  std::string scheme = "http";
  if (auto p = req.header("X-Forwarded-Proto"); p && (*p == "https" || *p == "http")) scheme = *p;
  std::string host(req.header("Host").value_or(""));
  if (host.empty() || host.find_first_of(" /\\\r\n\"<>") != std::string::npos)
    host = cfg.host + ":" + std::to_string(cfg.port);
  return scheme + "://" + host;
}

class Session final : public SessionControl, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, SessionHost& host) : stream_(std::move(s)), host_(host) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }

  void cancel_if_idle() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->stream_.cancel();
    });
  }

  net::awaitable<void> run() {
    const auto& cfg = host_.config();
    for (;;) {
      idle_ = true;
      if (host_.is_stopping()) break;
      bhttp::request_parser<bhttp::empty_body> hp;
      hp.header_limit(uint32_t(cfg.max_header_bytes));
      // Body limits are per route, checked in handle(); Beast's default would refuse first.
      hp.body_limit(boost::none);
      stream_.expires_after(cfg.header_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(stream_, buf_, hp, net::as_tuple(net::use_awaitable));
      if (ec) {
        if (ec == bhttp::error::header_limit)
          co_await write_simple(Response::error(431, "Request header fields too large"));
        else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
          co_await write_simple(Response::error(400, "Malformed HTTP request: " + ec.message()));
        break;
      }
      idle_ = false;
      bool keep = co_await handle(hp);
      if (!keep) break;
    }
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

 private:
  // One request: route, read the body as the route wants, run the handler, write. Returns
  // whether the connection may serve another request.
  net::awaitable<bool> handle(bhttp::request_parser<bhttp::empty_body>& hp) {
    const auto& cfg = host_.config();
    auto t0 = std::chrono::steady_clock::now();
    Request req;
    req.remote_addr = remote_;
    bool close = !hp.get().keep_alive();
    Response res;
    const Route* route = nullptr;
    bool query_ok = fill_request(hp.get().base(), req);
    req.base_url = base_url_of(req, cfg);
    auto m = query_ok ? host_.router().match(req, &route) : Router::Match::bad_encoding;
    bool body_done = hp.is_done();
    bool expects_continue = iequals(req.header("Expect").value_or(""), "100-continue");

    if (m == Router::Match::bad_encoding) {
      res = Response::error(400, "Malformed percent-encoding in the request target");
    } else if (m == Router::Match::bad_method) {
      res = Response::error(405, "Method not allowed");
    } else if (m == Router::Match::not_found) {
      res = Response::error(404, "Not found");
    } else if (route->options.body == BodyMode::buffered) {
      size_t limit = route->options.body_limit;
      if (hp.content_length() && *hp.content_length() > limit) {
        res = Response::error(413, "Request body too large (limit " + std::to_string(limit) + " bytes)");
      } else {
        bool ok = true;
        if (!body_done) {
          if (expects_continue) co_await write_continue();
          bhttp::request_parser<bhttp::string_body> sp(std::move(hp));
          sp.body_limit(limit);
          stream_.expires_after(cfg.io_timeout);
          auto [ec, n] = co_await bhttp::async_read(stream_, buf_, sp, net::as_tuple(net::use_awaitable));
          if (ec == bhttp::error::body_limit) {
            res = Response::error(413, "Request body too large (limit " + std::to_string(limit) + " bytes)");
            ok = false;
          } else if (ec) {
            co_return false;  // the client went away or sent garbage mid-body
          } else {
            req.body = std::move(sp.get().body());
            body_done = true;
          }
        }
        if (ok) res = co_await run_on_workers(*route, req);
      }
    } else {
      if (!body_done && expects_continue) co_await write_continue();
      bhttp::request_parser<bhttp::buffer_body> bp(std::move(hp));
      bp.body_limit(boost::none);
      SocketBodySource src(stream_, buf_, bp, cfg.io_timeout);
      req.body_source = &src;
      res = co_await run_on_workers(*route, req);
      body_done = bp.is_done();
    }
    // An unread body leaves the stream mid-message: this connection cannot be reused.
    if (!body_done || host_.is_stopping()) close = true;
    bool head = req.method == "HEAD";
    uint64_t sent = 0;
    bool ok = co_await write_response(res, close, head, sent);
    if (res.on_done) res.on_done();
    if (res.file) ::close(res.file->fd);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    char msbuf[32];
    std::snprintf(msbuf, sizeof msbuf, "%.2f", ms);
    log::info("request", {{"method", req.method},
                          {"path", req.path},
                          {"status", std::to_string(res.status)},
                          {"bytes", std::to_string(sent)},
                          {"ms", msbuf},
                          {"remote", req.remote_addr}});
    co_return ok && !close;
  }

  net::awaitable<Response> run_on_workers(const Route& route, Request& req) {
    co_return co_await net::co_spawn(
        host_.worker_pool(), [&]() -> net::awaitable<Response> { co_return call_handler(route, req); },
        net::use_awaitable);
  }

  net::awaitable<void> write_continue() {
    static constexpr char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(host_.config().io_timeout);
    co_await net::async_write(stream_, net::buffer(msg, sizeof msg - 1), net::as_tuple(net::use_awaitable));
  }

  net::awaitable<void> write_simple(Response res) {
    uint64_t sent = 0;
    co_await write_response(res, true, false, sent);
  }

  template <class Msg>
  void copy_headers(const Response& res, Msg& msg, bool close) {
    for (auto& [k, v] : res.headers) msg.insert(k, v);
    msg.keep_alive(!close);
  }

  net::awaitable<bool> write_response(Response& res, bool close, bool head, uint64_t& sent) {
    const auto& cfg = host_.config();
    stream_.expires_after(cfg.io_timeout);
    auto status = static_cast<bhttp::status>(res.status);
    if (res.file || res.stream) {
      bhttp::response<bhttp::empty_body> h{status, 11};
      copy_headers(res, h, close);
      uint64_t len = res.file ? res.file->length : res.content_length.value_or(0);
      bool chunked = !res.file && !res.content_length;
      if (chunked && !head) h.chunked(true);
      else h.content_length(len);
      bhttp::response_serializer<bhttp::empty_body> sr(h);
      auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, net::as_tuple(net::use_awaitable));
      if (ec) co_return false;
      if (head) co_return true;
      if (res.file) co_return co_await send_file(*res.file, sent);
      co_return co_await send_stream(res, chunked, sent);
    }
    bhttp::response<bhttp::string_body> msg{status, 11};
    copy_headers(res, msg, close);
    if (head) {
      msg.content_length(res.content_length.value_or(res.body.size()));
    } else {
      msg.body() = std::move(res.body);
      msg.prepare_payload();
      sent = msg.body().size();
    }
    auto [ec, n] = co_await bhttp::async_write(stream_, msg, net::as_tuple(net::use_awaitable));
    co_return !ec;
  }

  // Zero-copy file body: sendfile(2) straight from the page cache to the socket. The loop runs
  // on a worker thread and waits for socket space with poll(): one syscall per refill instead of
  // a coroutine round trip through the event loop (and a timer) each time the buffer drains.
  // The session is suspended meanwhile, so nothing else touches the socket.
  net::awaitable<bool> send_file(const FileBody& f, uint64_t& sent) {
    const int sock = stream_.socket().native_handle();
    const int timeout_ms = int(host_.config().io_timeout.count() * 1000);
    co_return co_await net::co_spawn(
        host_.worker_pool(),
        [&]() -> net::awaitable<bool> {
          off_t off = off_t(f.offset);
          uint64_t left = f.length;
          while (left > 0) {
            ssize_t n = ::sendfile(sock, f.fd, &off, size_t(std::min<uint64_t>(left, 64u << 20)));
            if (n > 0) {
              left -= uint64_t(n);
              sent += uint64_t(n);
              continue;
            }
            if (n == 0) co_return false;  // the file shrank under us
            if (errno == EINTR) continue;
            if (errno != EAGAIN) co_return false;
            pollfd p{sock, POLLOUT, 0};
            int r = ::poll(&p, 1, timeout_ms);
            if (r == 0) co_return false;  // the client stopped reading
            if (r < 0 && errno != EINTR) co_return false;
            if (p.revents & (POLLERR | POLLHUP)) co_return false;
          }
          co_return true;
        },
        net::use_awaitable);
  }

  net::awaitable<bool> send_stream(Response& res, bool chunked, uint64_t& sent) {
    std::vector<char> buf(kChunk);
    for (;;) {
      Result<size_t> got = co_await net::co_spawn(
          host_.worker_pool(), [&]() -> net::awaitable<Result<size_t>> { co_return res.stream(buf.data(), buf.size()); },
          net::use_awaitable);
      if (!got) {
        log::warn("response stream failed", {{"error", got.error().message}});
        co_return false;  // no last chunk: the client sees a truncated body
      }
      stream_.expires_after(host_.config().io_timeout);
      if (*got == 0) {
        if (chunked) {
          auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk_last(), net::as_tuple(net::use_awaitable));
          co_return !ec;
        }
        co_return true;
      }
      boost::system::error_code ec;
      if (chunked) {
        std::tie(ec, std::ignore) = co_await net::async_write(
            stream_, bhttp::make_chunk(net::buffer(buf.data(), *got)), net::as_tuple(net::use_awaitable));
      } else {
        std::tie(ec, std::ignore) =
            co_await net::async_write(stream_, net::buffer(buf.data(), *got), net::as_tuple(net::use_awaitable));
      }
      if (ec) co_return false;
      sent += *got;
    }
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  SessionHost& host_;
  std::string remote_;
  std::atomic<bool> idle_{true};
};

}  // namespace

void run_session(tcp::socket socket, SessionHost& host) {
  auto ex = socket.get_executor();
  auto s = std::make_shared<Session>(std::move(socket), host);
  host.session_started(s);
  // session_ended runs however the coroutine finishes, exceptions included.
  net::co_spawn(ex, [s]() -> net::awaitable<void> { co_await s->run(); },
                [&host](std::exception_ptr e) {
                  if (e) log::error("session ended by an exception");
                  host.session_ended();
                });
}

}  // namespace hub::http
