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
  std::chrono::seconds header_timeout{30};  // slow-loris guard: whole header within this
  std::chrono::seconds idle_timeout{75};    // keep-alive connection with no request
  std::chrono::seconds io_timeout{120};     // no progress on a body read/write for this long
  std::chrono::seconds drain_timeout{30};   // graceful shutdown waits at most this long
  size_t max_header_bytes = 64 * 1024;
  std::string public_url;          // overrides the base URL derived from Host
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
