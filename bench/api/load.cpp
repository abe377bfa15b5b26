// A minimal HTTP/1.1 keep-alive load generator for bench/api/run.sh: C connections, one thread
// each, one request in flight per connection, for a fixed time; prints "rps p50_ms p99_ms".
// It exists because wrk 4.1 hangs on HEAD (its parser waits for the body Content-Length
// announces). Responses are read by Content-Length (no chunked bodies: the bench's are not).
// Usage: api_load HOST PORT METHOD PATH CONNECTIONS SECONDS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

int connect_to(const char* host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  ::inet_pton(AF_INET, host, &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads one response; returns its status, or -1 on a broken connection.
int read_response(int fd, bool head, std::string& buf) {
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    char tmp[16384];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return -1;
    buf.append(tmp, size_t(n));
  }
  int status = std::atoi(buf.c_str() + 9);
  size_t body = 0;
  std::string lower = buf.substr(0, end);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (auto p = lower.find("\r\ncontent-length:"); p != std::string::npos && !head)
    body = std::strtoull(lower.c_str() + p + 17, nullptr, 10);
  size_t need = end + 4 + body;
  while (buf.size() < need) {
    char tmp[65536];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return -1;
    buf.append(tmp, size_t(n));
  }
  buf.erase(0, need);
  return status;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s HOST PORT METHOD PATH CONNECTIONS SECONDS\n", argv[0]);
    return 2;
  }
  const char* host = argv[1];
  int port = std::atoi(argv[2]);
  std::string method = argv[3], path = argv[4];
  int conns = std::atoi(argv[5]);
  double secs = std::atof(argv[6]);
  bool head = method == "HEAD";
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: */*\r\n\r\n";
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0}, non2xx{0}, reconnects{0};
  std::vector<std::vector<double>> lat(static_cast<size_t>(conns));
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (int i = 0; i < conns; ++i) {
    threads.emplace_back([&, i] {
      int fd = connect_to(host, port);
      if (fd < 0) { ++errors; return; }
      std::string buf;
      while (!stop.load(std::memory_order_relaxed)) {
        auto s = Clock::now();
        int st = -1;
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) st = read_response(fd, head, buf);
        if (st < 0) {
          // Servers close keep-alive connections after some requests (hubd, nginx: 1000):
          // reconnect and retry once, as any client would.
          ::close(fd);
          buf.clear();
          ++reconnects;
          fd = connect_to(host, port);
          if (fd < 0) { ++errors; return; }
          continue;
        }
        if (st < 200 || st > 299) ++non2xx;
        lat[size_t(i)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      }
      ::close(fd);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(secs));
  stop = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  if (all.empty() || errors || non2xx) {
    std::fprintf(stderr, "api_load: %zu ok, %ld errors, %ld non-2xx\n", all.size(), errors.load(), non2xx.load());
    return 1;
  }
  auto pct = [&](double p) { return all[std::min(all.size() - 1, size_t(p * double(all.size())))]; };
  std::printf("%.2f %.3f %.3f\n", double(all.size()) / elapsed, pct(0.50), pct(0.99));
  return 0;
}
