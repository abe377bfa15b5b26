// Test-only smart-HTTP server: enough HTTP/1.1 for the git CLI to clone, fetch and push
// through PackProcess (GET info/refs, POST git-upload-pack / git-receive-pack). Serves
// http://127.0.0.1:<port>/<name> from <root>/<name>. One connection at a time, every response
// "Connection: close". Mirrors what the real HTTP layer does with PackProcess.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hub::storage::git::testing {

class SmartHttpServer {
 public:
  explicit SmartHttpServer(std::string root);
  ~SmartHttpServer();
  int port() const { return port_; }
  std::string url(const std::string& name) const;
  // Exit codes of the pack processes run so far (receive-pack/upload-pack POSTs).
  std::vector<int> exit_codes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return exit_codes_;
  }

 private:
  void serve();
  void handle(int fd);

  std::string root_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<int> exit_codes_;
  std::thread thread_;
};

}  // namespace hub::storage::git::testing
