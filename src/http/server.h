// Server: the HTTP/1.1 listener. One io_context per core (each with its own SO_REUSEPORT
// acceptor and thread), one coroutine per connection, keep-alive, header/body limits,
// timeouts for slow clients, and handlers run on a worker pool so the event loops never
// block. SIGTERM/SIGINT stop accepting, let in-flight requests finish, then return from
// run(). Owns its threads; construct, listen(), run() from one thread; stop() from any.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/router.h"

namespace hub::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;           // 0 = any free port (tests)
  size_t io_threads = 0;          // 0 = one per core
  size_t worker_threads = 32;     // blocking handler work (git, libgit2, db)
  // Handlers of streamed-body routes (git packs, LFS uploads, commits) run on a pool of their
  // own: a peer that sends slowly can hold one of these, never a worker that pages and the API
  // need. They mostly wait on peers and child processes, so a large pool is cheap.
  size_t stream_worker_threads = 128;
  std::chrono::seconds header_timeout{30};  // slow-loris guard: whole header within this
  std::chrono::seconds idle_timeout{75};    // keep-alive connection with no request
  std::chrono::seconds io_timeout{120};     // no progress on a body read/write for this long
  // Minimum transfer rate for request and response bodies, counted over the time spent waiting
  // on the peer after a grace period: a body may take at most grace + bytes / rate of waiting.
  // 0 turns the rule off (io_timeout still applies to each wait).
  uint64_t min_body_rate = 1024;  // bytes per second
  std::chrono::seconds rate_grace{30};
  // Streamed bodies: this much is read on the event loop before a stream worker is taken, so a
  // trickling client holds only its connection (and small bodies never wait on a worker).
  size_t preread_bytes = 64 * 1024;
  // Open connections one client address may hold (0: no limit). Behind a reverse proxy every
  // client shares the proxy's address: raise or disable it there.
  size_t max_connections_per_address = 128;
  // Streamed-body requests (git packs, LFS uploads) one address may run at once (0: no limit):
  // the stream pool is shared, so no single client may take all of it.
  size_t max_streams_per_address = 32;
  std::chrono::seconds drain_timeout{30};   // graceful shutdown waits at most this long
  size_t max_header_bytes = 64 * 1024;
  std::string public_url;          // overrides the base URL derived from Host
  // Reverse proxies believed about X-Forwarded-For (http/client_address.h): addresses and CIDR
  // ranges, comma-separated. Their requests count against the forwarded client's address, and
  // their own connections are not capped per address. listen() refuses a list that does not parse.
  std::string trusted_proxies;
};

class Server {
 public:
  Server(ServerConfig cfg, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening sockets; returns the bound port.
  Result<uint16_t> listen();
  // Serves until stop() or SIGTERM/SIGINT, then drains in-flight requests and returns.
  void run();
  // Thread-safe: begin a graceful shutdown.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::http
