#include "smart_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <map>

#include "storage/git/pack_process.h"

namespace hub::storage::git::testing {
namespace {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}
bool write_all(int fd, const std::string& s) { return write_all(fd, s.data(), s.size()); }

// Buffered reader over the socket.
struct Reader {
  int fd;
  std::string buf;
  bool fill() {
    char tmp[65536];
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  }
  bool line(std::string& out) {  // up to CRLF
    size_t pos;
    while ((pos = buf.find("\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    out = buf.substr(0, pos);
    buf.erase(0, pos + 2);
    return true;
  }
  bool exactly(size_t n, std::string& out) {
    while (buf.size() < n) {
      if (!fill()) return false;
    }
    out.append(buf, 0, n);
    buf.erase(0, n);
    return true;
  }
};

std::string gunzip(const std::string& in) {
  z_stream zs{};
  inflateInit2(&zs, 16 + MAX_WBITS);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char tmp[65536];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(tmp);
    zs.avail_out = sizeof tmp;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(tmp, sizeof tmp - zs.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&zs);
  return out;
}

// Copies the child's stdout to the socket until EOF, never holding more than a chunk.
void pump(PackProcess& p, int sock) {
  char tmp[65536];
  for (;;) {
    ssize_t n = ::read(p.stdout_fd(), tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!write_all(sock, tmp, static_cast<size_t>(n))) break;
  }
}

}  // namespace

SmartHttpServer::SmartHttpServer(std::string root) : root_(std::move(root)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 16);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

SmartHttpServer::~SmartHttpServer() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::string SmartHttpServer::url(const std::string& name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
}

void SmartHttpServer::serve() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void SmartHttpServer::handle(int fd) {
  Reader in{fd, {}};
  std::string request_line, line;
  if (!in.line(request_line)) return;
  std::map<std::string, std::string> headers;
  while (in.line(line) && !line.empty()) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers[key] = value;
  }
  std::string method = request_line.substr(0, request_line.find(' '));
  std::string target = request_line.substr(method.size() + 1);
  target = target.substr(0, target.find(' '));
  std::string protocol = headers.count("git-protocol") ? headers["git-protocol"] : "";
  auto respond_error = [&](const char* status) {
    write_all(fd, std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  };

  if (method == "GET") {  // /<name>/info/refs?service=git-upload-pack
    auto q = target.find("/info/refs?service=");
    if (q == std::string::npos) return respond_error("404 Not Found");
    auto service = parse_service(target.substr(q + 19));
    if (!service) return respond_error("403 Forbidden");
    PackOptions opts;
    opts.advertise_refs = true;
    opts.git_protocol = protocol;
    auto p = PackProcess::start(*service, root_ + target.substr(0, q), opts);
    if (!p) return respond_error("500 Internal Server Error");
    p->close_stdin();
    write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: " + advertisement_content_type(*service) +
                      "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n" +
                      info_refs_preamble(*service, protocol));
    pump(*p, fd);
    p->wait();
    return;
  }

  // POST /<name>/git-upload-pack | git-receive-pack
  auto slash = target.rfind('/');
  auto service = parse_service(target.substr(slash + 1));
  if (method != "POST" || !service) return respond_error("404 Not Found");
  if (headers["expect"] == "100-continue") write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  std::string body;
  if (headers["transfer-encoding"] == "chunked") {
    for (;;) {
      if (!in.line(line)) return;
      size_t n = std::stoul(line, nullptr, 16);
      if (n == 0) {
        in.line(line);
        break;
      }
      if (!in.exactly(n, body) || !in.line(line)) return;
    }
  } else if (!in.exactly(std::stoul(headers["content-length"]), body)) {
    return;
  }
  if (headers["content-encoding"] == "gzip") body = gunzip(body);
  PackOptions opts;
  opts.git_protocol = protocol;
  auto p = PackProcess::start(*service, root_ + target.substr(0, slash), opts);
  if (!p) return respond_error("500 Internal Server Error");
  // Feed stdin from another thread while this one drains stdout, as the HTTP layer must:
  // neither side may wait for the other to finish first.
  std::thread feeder([&] {
    write_all(p->stdin_fd(), body);
    p->close_stdin();
  });
  write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: " + result_content_type(*service) +
                    "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n");
  pump(*p, fd);
  feeder.join();
  auto status = p->wait();
  std::lock_guard<std::mutex> lock(mu_);
  exit_codes_.push_back(status ? status->code : -1);
}

}  // namespace hub::storage::git::testing
