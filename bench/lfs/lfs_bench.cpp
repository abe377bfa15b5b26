// LFS store throughput: one operation per process run, so peak RSS is per operation.
//   lfs_bench put <store-spec> <file> <oid>       stream a file into the store (1 MiB writes)
//   lfs_bench get <store-spec> <oid> read|sendfile  read it back to /dev/null
// Prints one line: op=… bytes=… secs=… mb_per_s=… max_rss_kb=…
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "storage/lfs/blob_store.h"

using namespace hub::storage::lfs;

namespace {

long max_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int report(const std::string& op, uint64_t bytes, double secs) {
  std::printf("op=%s bytes=%llu secs=%.3f mb_per_s=%.1f max_rss_kb=%ld\n", op.c_str(),
              static_cast<unsigned long long>(bytes), secs, bytes / 1e6 / secs, max_rss_kb());
  return 0;
}

int die(const std::string& what) {
  std::fprintf(stderr, "lfs_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() != 4 || (a[0] != "put" && a[0] != "get"))
    return die("usage: lfs_bench put <store> <file> <oid> | get <store> <oid> read|sendfile");
  auto store = open_blob_store(a[1]);
  if (!store) return die(store.error().message);
  auto t0 = std::chrono::steady_clock::now();
  auto secs = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };

  if (a[0] == "put") {
    int fd = ::open(a[2].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return die("cannot open " + a[2]);
    auto w = (*store)->begin_put(PutOptions{a[3], std::nullopt});
    if (!w) return die(w.error().message);
    std::vector<char> buf(1 << 20);
    uint64_t total = 0;
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0) return die("read failed");
      if (n == 0) break;
      if (auto r = (*w)->write(std::string_view(buf.data(), size_t(n))); !r)
        return die(r.error().message);
      total += uint64_t(n);
    }
    ::close(fd);
    if (auto r = (*w)->commit(a[3], total); !r) return die(r.error().message);
    return report("put-" + std::string((*store)->kind()), total, secs());
  }

  auto reader = (*store)->get(a[2]);
  if (!reader) return die(reader.error().message);
  int out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  uint64_t total = 0;
  if (a[3] == "sendfile") {
    auto region = (*reader)->file_region();
    if (!region) return die("this store has no file region (sendfile is local-only)");
    off_t off = off_t(region->offset);
    while (total < region->length) {
      ssize_t n = ::sendfile(out, region->fd, &off, size_t(std::min<uint64_t>(region->length - total, 1 << 30)));
      if (n <= 0) return die("sendfile failed");
      total += uint64_t(n);
    }
    return report("get-" + std::string((*store)->kind()) + "-sendfile", total, secs());
  }
  std::vector<std::byte> buf(1 << 20);
  for (;;) {
    auto n = (*reader)->read(buf);
    if (!n) return die(n.error().message);
    if (*n == 0) break;
    if (::write(out, buf.data(), *n) < 0) return die("write failed");
    total += *n;
  }
  return report("get-" + std::string((*store)->kind()), total, secs());
}
