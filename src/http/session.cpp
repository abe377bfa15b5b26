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
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <optional>

#include "core/hash.h"
#include "core/log.h"
#include "http/headers.h"

namespace hub::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using namespace net::experimental::awaitable_operators;

namespace {

constexpr size_t kChunk = 256 * 1024;

using Clock = std::chrono::steady_clock;

// The minimum-rate rule (ServerConfig::min_body_rate): a body may spend at most
// grace + bytes/rate seconds waiting on its peer. Only time blocked on the peer counts, so a
// handler that is slow to consume (a busy git child, a slow S3) never fails its client.
class RateBudget {
 public:
  RateBudget(const ServerConfig& cfg)
      : rate_(double(cfg.min_body_rate)), grace_(double(cfg.rate_grace.count())), io_(double(cfg.io_timeout.count())) {}
  // How long the next wait for `more` bytes may take, in seconds (<= 0: the peer is too slow).
  double allowance(uint64_t more) const {
    double a = io_;
    if (rate_ > 0) a = std::min(a, grace_ + double(bytes_ + more) / rate_ - waited_);
    return a;
  }
  void waited(double seconds) { waited_ += seconds; }
  void moved(uint64_t n) { bytes_ += n; }
  bool rate_limited() const { return rate_ > 0; }

 private:
  double rate_, grace_, io_;
  double waited_ = 0;
  uint64_t bytes_ = 0;
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Reads a streamed request body synchronously on a stream worker. The session coroutine is
// suspended while the handler runs, so nothing else touches the stream meanwhile. What the
// session pre-read on the event loop is served first. The socket is switched to non-blocking
// mode for the duration: a read that would block returns at once and only then do we poll(),
// bounded by the rate budget, so a stalled or trickling client cannot hold a worker for long
// and a fast one costs one recv per buffer, not a poll plus a recv.
class SocketBodySource final : public BodySource {
 public:
  SocketBodySource(beast::tcp_stream& s, beast::flat_buffer& b, bhttp::request_parser<bhttp::buffer_body>& p,
                   std::string_view preread, const ServerConfig& cfg)
      : stream_(s), buf_(b), parser_(p), pre_(preread), budget_(cfg) {
    boost::system::error_code ec;
    stream_.socket().non_blocking(true, ec);
  }
  ~SocketBodySource() override {
    boost::system::error_code ec;
    stream_.socket().non_blocking(false, ec);
  }

  Result<size_t> read(char* dst, size_t cap) override {
    if (cap == 0) return size_t(0);
    if (!pre_.empty()) {
      size_t n = std::min(cap, pre_.size());
      std::memcpy(dst, pre_.data(), n);
      pre_.remove_prefix(n);
      return n;
    }
    if (parser_.is_done()) return size_t(0);
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
          budget_.moved(got);
          return got;
        }
        double allow = budget_.allowance(1);
        if (allow <= 0) return fail(Errc::io, "the request body arrived too slowly");
        pollfd p{stream_.socket().native_handle(), POLLIN, 0};
        auto t0 = Clock::now();
        int r = ::poll(&p, 1, int(std::ceil(allow * 1000)));
        budget_.waited(seconds_since(t0));
        if (r == 0) return fail(Errc::io, "timed out waiting for the request body");
        if (r < 0 && errno != EINTR) return fail(Errc::io, "poll failed on the request body");
        continue;
      }
      if (ec) return fail(Errc::io, "reading the request body: " + ec.message());
      if (got > 0 || parser_.is_done()) {
        body.data = nullptr;
        budget_.moved(got);
        return got;
      }
    }
  }

 private:
  beast::tcp_stream& stream_;
  beast::flat_buffer& buf_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  std::string_view pre_;
  RateBudget budget_;
};

// Releases what a response holds once it has been written or abandoned: closes its file and
// hands on_done to the worker pool (it may block: post-push bookkeeping, child processes).
class ResponseCleanup {
 public:
  ResponseCleanup(Response& res, net::thread_pool& pool) : res_(res), pool_(pool) {}
  ResponseCleanup(const ResponseCleanup&) = delete;
  ResponseCleanup& operator=(const ResponseCleanup&) = delete;
  ~ResponseCleanup() {
    if (res_.file && res_.file->fd >= 0) {
      ::close(res_.file->fd);
      res_.file->fd = -1;
    }
    if (res_.on_done) net::post(pool_, std::move(res_.on_done));
    res_.on_done = nullptr;
  }

 private:
  Response& res_;
  net::thread_pool& pool_;
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

// The request's id, sent back as X-Request-Id and logged: the client's own when it is a plain
// token (so an id set by a proxy or client traces through), else a new random one. As on the
// Hub, X-Request-Id wins over X-Amzn-Trace-Id, where huggingface_hub puts its per-request uuid.
std::string request_id_of(const Request& req) {
  auto plain = [](std::string_view v) {
    return !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' || c == '=';
    });
  };
  for (std::string_view name : {"X-Request-Id", "X-Amzn-Trace-Id"})
    if (auto h = req.header(name); h && plain(*h)) return std::string(*h);
  return base64url_encode(random_bytes(16));
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
  Session(tcp::socket s, std::string remote, SessionHost& host)
      : stream_(std::move(s)), host_(host), remote_(std::move(remote)) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = ep.address();
  }
  const std::string& remote() const { return remote_; }

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
    // The client the per-address limits count: the socket's address, or the forwarded client
    // when the peer is a trusted reverse proxy (client_address.h).
    std::string client = remote_;
    if (!host_.trusted_proxies().empty() && peer_) {
      std::string forwarded;
      auto [first, last] = hp.get().equal_range("X-Forwarded-For");
      for (auto it = first; it != last; ++it) {
        if (!forwarded.empty()) forwarded += ',';
        forwarded.append(it->value().data(), it->value().size());
      }
      client = host_.trusted_proxies().client_key(*peer_, forwarded);
    }
    req.remote_addr = client;
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
        if (ok) res = co_await run_on_workers(*route, req, host_.worker_pool());
      }
    } else if (!host_.acquire_stream(client)) {
      res = Response::error(429, "Too many uploads in progress from this address; retry later");
      res.set_header("Retry-After", "5");
    } else {
      struct StreamSlot {
        SessionHost& host;
        const std::string& addr;
        ~StreamSlot() { host.release_stream(addr); }
      } slot{host_, client};
      if (!body_done && expects_continue) co_await write_continue();
      bhttp::request_parser<bhttp::buffer_body> bp(std::move(hp));
      bp.body_limit(boost::none);
      // Pre-read on the event loop: a worker is taken only once the body is complete or a
      // buffer's worth has arrived, so trickling clients wait here, holding no thread.
      std::string pre(cfg.preread_bytes, '\0');
      size_t pre_len = 0;
      stream_.expires_after(cfg.header_timeout);
      while (!bp.is_done() && pre_len < pre.size()) {
        bp.get().body().data = pre.data() + pre_len;
        bp.get().body().size = pre.size() - pre_len;
        bp.get().body().more = true;
        auto [ec, n] = co_await bhttp::async_read_some(stream_, buf_, bp, net::as_tuple(net::use_awaitable));
        pre_len = pre.size() - bp.get().body().size;
        if (ec && ec != bhttp::error::need_buffer) co_return false;  // gone, garbage or too slow
      }
      bp.get().body().data = nullptr;
      SocketBodySource src(stream_, buf_, bp, std::string_view(pre.data(), pre_len), cfg);
      req.body_source = &src;
      res = co_await run_on_workers(*route, req, host_.stream_pool());
      body_done = bp.is_done();
    }
    // An unread body leaves the stream mid-message: this connection cannot be reused.
    if (!body_done || host_.is_stopping()) close = true;
    std::string request_id = request_id_of(req);
    res.set_header("X-Request-Id", request_id);
    bool head = req.method == "HEAD";
    uint64_t sent = 0;
    bool ok = false;
    {
      // Whatever happens to the write (an error, an exception, the session torn down), the
      // file is closed and on_done runs: on a worker, since it may do real work (post-push).
      ResponseCleanup cleanup(res, host_.worker_pool());
      ok = co_await write_response(res, close, head, sent);
    }
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    char msbuf[32];
    std::snprintf(msbuf, sizeof msbuf, "%.2f", ms);
    log::info("request", {{"method", req.method},
                          {"path", req.path},
                          {"status", std::to_string(res.status)},
                          {"bytes", std::to_string(sent)},
                          {"ms", msbuf},
                          {"remote", req.remote_addr},
                          {"request_id", request_id}});
    co_return ok && !close;
  }

  net::awaitable<Response> run_on_workers(const Route& route, Request& req, net::thread_pool& pool) {
    co_return co_await net::co_spawn(
        pool, [&]() -> net::awaitable<Response> { co_return call_handler(route, req); }, net::use_awaitable);
  }

  net::awaitable<void> write_continue() {
    static constexpr char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(host_.config().io_timeout);
    co_await net::async_write(stream_, net::buffer(msg, sizeof msg - 1), net::as_tuple(net::use_awaitable));
  }

  net::awaitable<void> write_simple(Response res) {
    res.set_header("X-Request-Id", base64url_encode(random_bytes(16)));
    uint64_t sent = 0;
    co_await write_response(res, true, false, sent);
  }

  // Every header of every response passes seal_response_headers here, and nowhere else.
  template <class Msg>
  static bool copy_headers(Response& res, Msg& msg, bool close) {
    seal_response_headers(res.headers);
    try {
      for (auto& [k, v] : res.headers) msg.insert(k, v);
    } catch (const std::exception& e) {  // sealed headers fit Beast's limits; this is a last guard
      log::error("response header refused by the serializer", {{"what", e.what()}});
      return false;
    }
    msg.keep_alive(!close);
    return true;
  }

  net::awaitable<bool> write_response(Response& res, bool close, bool head, uint64_t& sent) {
    const auto& cfg = host_.config();
    stream_.expires_after(cfg.io_timeout);
    if (res.status < 100 || res.status > 999) res.status = 500;
    auto status = static_cast<bhttp::status>(res.status);
    if (res.file || res.stream) {
      bhttp::response<bhttp::empty_body> h{status, 11};
      if (!copy_headers(res, h, close)) co_return false;
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
    if (!copy_headers(res, msg, close)) co_return false;
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

  // Waits until the socket can take more bytes, at most `seconds`. False on timeout or error.
  net::awaitable<bool> wait_writable(double seconds) {
    if (seconds <= 0) co_return false;
    net::steady_timer timer(stream_.get_executor());
    timer.expires_after(std::chrono::milliseconds(int64_t(std::ceil(seconds * 1000))));
    auto r = co_await (stream_.socket().async_wait(tcp::socket::wait_write, net::as_tuple(net::use_awaitable)) ||
                       timer.async_wait(net::as_tuple(net::use_awaitable)));
    co_return r.index() == 0 && !std::get<0>(std::get<0>(r));
  }

  // Zero-copy file body: sendfile(2) straight from the page cache to the non-blocking socket,
  // on the event loop; when the socket is full the coroutine waits for space (under the rate
  // budget) holding no thread, so a client that reads slowly costs a connection, not a worker.
  net::awaitable<bool> send_file(const FileBody& f, uint64_t& sent) {
    const int sock = stream_.socket().native_handle();
    boost::system::error_code ec;
    stream_.socket().native_non_blocking(true, ec);
    if (ec) co_return false;
    RateBudget budget(host_.config());
    off_t off = off_t(f.offset);
    uint64_t left = f.length;
    while (left > 0) {
      // Bounded per call so one connection's disk reads never hold the loop for long.
      ssize_t n = ::sendfile(sock, f.fd, &off, size_t(std::min<uint64_t>(left, 4u << 20)));
      if (n > 0) {
        left -= uint64_t(n);
        sent += uint64_t(n);
        budget.moved(uint64_t(n));
        continue;
      }
      if (n == 0) co_return false;  // the file shrank under us
      if (errno == EINTR) continue;
      if (errno != EAGAIN) co_return false;
      auto t0 = Clock::now();
      bool ok = co_await wait_writable(budget.allowance(1));
      budget.waited(seconds_since(t0));
      if (!ok) co_return false;  // the client stopped reading, or reads too slowly
    }
    co_return true;
  }

  net::awaitable<bool> send_stream(Response& res, bool chunked, uint64_t& sent) {
    std::vector<char> buf(kChunk);
    RateBudget budget(host_.config());
    for (;;) {
      Result<size_t> got = co_await net::co_spawn(
          host_.worker_pool(), [&]() -> net::awaitable<Result<size_t>> { co_return res.stream(buf.data(), buf.size()); },
          net::use_awaitable);
      if (!got) {
        log::warn("response stream failed", {{"error", got.error().message}});
        co_return false;  // no last chunk: the client sees a truncated body
      }
      double allow = budget.allowance(*got);
      if (allow <= 0) co_return false;  // the client reads too slowly
      stream_.expires_after(std::chrono::milliseconds(int64_t(std::ceil(allow * 1000))));
      if (*got == 0) {
        if (chunked) {
          auto [ec, n] = co_await net::async_write(stream_, bhttp::make_chunk_last(), net::as_tuple(net::use_awaitable));
          co_return !ec;
        }
        co_return true;
      }
      boost::system::error_code ec;
      auto t0 = Clock::now();
      if (chunked) {
        std::tie(ec, std::ignore) = co_await net::async_write(
            stream_, bhttp::make_chunk(net::buffer(buf.data(), *got)), net::as_tuple(net::use_awaitable));
      } else {
        std::tie(ec, std::ignore) =
            co_await net::async_write(stream_, net::buffer(buf.data(), *got), net::as_tuple(net::use_awaitable));
      }
      budget.waited(seconds_since(t0));
      if (ec) co_return false;
      sent += *got;
      budget.moved(*got);
    }
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  SessionHost& host_;
  const std::string remote_;                    // the admission key (server.cpp)
  std::optional<net::ip::address> peer_;        // the socket's peer, for trusted-proxy checks
  std::atomic<bool> idle_{true};
};

}  // namespace

void run_session(tcp::socket socket, std::string remote_addr, SessionHost& host) {
  auto ex = socket.get_executor();
  auto s = std::make_shared<Session>(std::move(socket), std::move(remote_addr), host);
  host.session_started(s);
  // session_ended runs however the coroutine finishes, exceptions included.
  net::co_spawn(ex, [s]() -> net::awaitable<void> { co_await s->run(); },
                [&host, s](std::exception_ptr e) {
                  if (e) log::error("session ended by an exception");
                  host.session_ended(s->remote());
                });
}

}  // namespace hub::http
