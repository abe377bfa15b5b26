// One HTTP/1.1 connection: read a request, run its handler on the worker pool, write the
// response, repeat while keep-alive. Private to http/ (includes Asio); server.cpp starts
// sessions and tracks them through SessionControl for graceful shutdown.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "http/client_address.h"
#include "http/router.h"
#include "http/server.h"

namespace hub::http {

// What the server lets a session see of it.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual const Router& router() const = 0;
  virtual const ServerConfig& config() const = 0;
  virtual boost::asio::thread_pool& worker_pool() = 0;
  virtual boost::asio::thread_pool& stream_pool() = 0;  // handlers of streamed-body routes
  virtual bool is_stopping() const = 0;
  virtual void session_started(const std::shared_ptr<class SessionControl>& s) = 0;
  // remote_addr: the address the session was admitted under (see Server's per-address cap).
  virtual void session_ended(const std::string& remote_addr) = 0;
  // Takes one of the address's streamed-request slots (false: all taken); release gives it back.
  virtual bool acquire_stream(const std::string& remote_addr) = 0;
  virtual void release_stream(const std::string& remote_addr) = 0;
  // Reverse proxies believed about X-Forwarded-For (ServerConfig::trusted_proxies, parsed).
  virtual const TrustedProxies& trusted_proxies() const = 0;
};

// A handle on a live session that the server can use from any thread.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  // Closes the connection if it is waiting for a next request (keep-alive idle).
  virtual void cancel_if_idle() = 0;
};

void run_session(boost::asio::ip::tcp::socket socket, std::string remote_addr, SessionHost& host);

}  // namespace hub::http
