// The only translation unit that sees Asio/Beast (with session.cpp). See server.h.
#include "http/server.h"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/signal_set.hpp>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "http/session.h"

namespace hub::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl : SessionHost {
  ServerConfig cfg;
  const Router& router_;
  std::vector<std::unique_ptr<net::io_context>> ios;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::unique_ptr<net::thread_pool> workers;
  std::unique_ptr<net::thread_pool> streamers;
  std::atomic<bool> stopping{false};
  std::atomic<int> live_sessions{0};
  std::mutex mu;
  std::list<std::weak_ptr<SessionControl>> sessions;
  std::unordered_map<std::string, size_t> per_address;  // open connections by client address (under mu)
  std::unordered_map<std::string, size_t> streams;      // streamed requests running, by address (under mu)
  std::unique_ptr<net::signal_set> signals;
  TrustedProxies trusted;  // parsed from cfg.trusted_proxies by listen()

  Impl(ServerConfig c, const Router& r) : cfg(std::move(c)), router_(r) {}

  // SessionHost
  const Router& router() const override { return router_; }
  const ServerConfig& config() const override { return cfg; }
  net::thread_pool& worker_pool() override { return *workers; }
  net::thread_pool& stream_pool() override { return *streamers; }
  bool is_stopping() const override { return stopping.load(); }
  void session_started(const std::shared_ptr<SessionControl>& s) override {
    live_sessions++;
    std::lock_guard lk(mu);
    sessions.remove_if([](const auto& w) { return w.expired(); });
    sessions.push_back(s);
  }
  void session_ended(const std::string& addr) override {
    live_sessions--;
    std::lock_guard lk(mu);
    if (auto it = per_address.find(addr); it != per_address.end() && --it->second == 0) per_address.erase(it);
  }

  bool acquire_stream(const std::string& addr) override {
    std::lock_guard lk(mu);
    size_t& n = streams[addr];
    if (cfg.max_streams_per_address && n >= cfg.max_streams_per_address) {
      if (n == 0) streams.erase(addr);
      return false;
    }
    ++n;
    return true;
  }
  void release_stream(const std::string& addr) override {
    std::lock_guard lk(mu);
    if (auto it = streams.find(addr); it != streams.end() && --it->second == 0) streams.erase(it);
  }
  const TrustedProxies& trusted_proxies() const override { return trusted; }

  // Counts a new connection against its address; false when the address is at its limit
  // (capped = false for trusted proxies, which carry many clients' connections).
  bool admit(const std::string& addr, bool capped) {
    std::lock_guard lk(mu);
    size_t& n = per_address[addr];
    if (capped && cfg.max_connections_per_address && n >= cfg.max_connections_per_address) {
      if (n == 0) per_address.erase(addr);
      return false;
    }
    ++n;
    return true;
  }

  // Refuses a connection over its address's limit with a short 429 (best effort, never blocks).
  static void refuse(tcp::socket& sock) {
    static constexpr char msg[] =
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
        "X-Error-Message: Too many connections from this address\r\nX-Content-Type-Options: nosniff\r\n"
        "Retry-After: 5\r\nConnection: close\r\nContent-Length: 50\r\n\r\n"
        "{\"error\":\"Too many connections from this address\"}";
    static_assert(sizeof("{\"error\":\"Too many connections from this address\"}") - 1 == 50);
    boost::system::error_code ec;
    sock.non_blocking(true, ec);
    sock.write_some(net::buffer(msg, sizeof msg - 1), ec);
    sock.shutdown(tcp::socket::shutdown_both, ec);
    sock.close(ec);
  }

  net::awaitable<void> accept_loop(tcp::acceptor& acc) {
    for (;;) {
      auto [ec, sock] = co_await acc.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) {
        if (ec == net::error::operation_aborted || !acc.is_open()) co_return;
        log::warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      boost::system::error_code aec;
      auto ep = sock.remote_endpoint(aec);
      std::string addr = aec ? std::string() : address_key(ep.address());
      if (!admit(addr, aec || !trusted.contains(ep.address()))) {
        refuse(sock);
        continue;
      }
      run_session(std::move(sock), std::move(addr), *this);
    }
  }

  void begin_stop() {
    if (stopping.exchange(true)) return;
    log::info("shutting down: finishing in-flight requests");
    for (auto& a : acceptors)
      net::post(a->get_executor(), [a = a.get()] {
        boost::system::error_code ec;
        a->close(ec);
      });
    // Idle keep-alive connections are closed now; busy ones close after their response.
    std::lock_guard lk(mu);
    for (auto& w : sessions)
      if (auto s = w.lock()) s->cancel_if_idle();
  }
};

Server::Server(ServerConfig cfg, const Router& router) : impl_(std::make_unique<Impl>(std::move(cfg), router)) {
  if (impl_->cfg.io_threads == 0) impl_->cfg.io_threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < impl_->cfg.io_threads; ++i) impl_->ios.push_back(std::make_unique<net::io_context>(1));
  impl_->workers = std::make_unique<net::thread_pool>(impl_->cfg.worker_threads);
  impl_->streamers = std::make_unique<net::thread_pool>(std::max<size_t>(1, impl_->cfg.stream_worker_threads));
}

Server::~Server() {
  if (impl_->streamers) impl_->streamers->join();
  if (impl_->workers) impl_->workers->join();
}

Result<uint16_t> Server::listen() {
  auto& cfg = impl_->cfg;
  HUB_TRY(trusted, TrustedProxies::parse(cfg.trusted_proxies));
  impl_->trusted = std::move(trusted);
  boost::system::error_code ec;
  auto addr = net::ip::make_address(cfg.host, ec);
  if (ec) return fail(Errc::invalid_argument, "bad listen address '" + cfg.host + "': " + ec.message());
  uint16_t port = cfg.port;
  for (auto& io : impl_->ios) {
    auto acc = std::make_unique<tcp::acceptor>(*io);
    tcp::endpoint ep(addr, port);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) {
      // One acceptor per event loop; the kernel spreads connections across them.
      int one = 1;
      ::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return fail(Errc::io, "cannot listen on " + cfg.host + ":" + std::to_string(port) + ": " + ec.message());
    port = acc->local_endpoint().port();
    impl_->acceptors.push_back(std::move(acc));
  }
  cfg.port = port;
  return port;
}

void Server::run() {
  auto& im = *impl_;
  im.signals = std::make_unique<net::signal_set>(*im.ios[0], SIGTERM, SIGINT);
  im.signals->async_wait([&im](boost::system::error_code ec, int) {
    if (!ec) im.begin_stop();
  });
  for (size_t i = 0; i < im.ios.size(); ++i)
    net::co_spawn(*im.ios[i], im.accept_loop(*im.acceptors[i]), net::detached);

  std::vector<std::thread> threads;
  for (size_t i = 1; i < im.ios.size(); ++i) threads.emplace_back([io = im.ios[i].get()] { io->run(); });
  // Thread 0 runs loop 0 until stopping, then waits for sessions to drain.
  std::thread drain([&im] {
    while (!im.stopping.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto deadline = std::chrono::steady_clock::now() + im.cfg.drain_timeout;
    while (im.live_sessions.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard lk(im.mu);
      for (auto& w : im.sessions)
        if (auto s = w.lock()) s->cancel_if_idle();
    }
    if (im.live_sessions.load() > 0) log::warn("drain timeout: closing remaining connections");
    for (auto& io : im.ios) io->stop();
  });
  im.ios[0]->run();
  for (auto& t : threads) t.join();
  drain.join();
  im.signals.reset();
  log::info("hubd stopped");
}

void Server::stop() {
  net::post(*impl_->ios[0], [im = impl_.get()] { im->begin_stop(); });
}

}  // namespace hub::http
