#include "storage/lfs/s3_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/hash.h"
#include "core/log.h"

namespace hub::storage::lfs {
namespace {

constexpr int kMaxParts = 10000;
constexpr uint64_t kReadWindow = uint64_t(8) << 20;
constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;  // SigV4's limit

std::unexpected<Error> s3_fail(const S3Response& r, std::string_view what) {
  return std::unexpected(S3Client::to_error(r, what));
}

// Designated initializers with omitted members warn on g++ 12 (-Wextra); build calls here.
S3Call make_call(std::string method, std::string key,
                 std::vector<sigv4::QueryParam> query = {}, std::string_view body = {},
                 std::optional<std::string> payload_hash = {}) {
  S3Call c;
  c.method = std::move(method);
  c.key = std::move(key);
  c.query = std::move(query);
  c.body = body;
  c.payload_hash = std::move(payload_hash);
  return c;
}

bool ok_status(long s) { return s >= 200 && s < 300; }

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

class S3Writer final : public BlobWriter {
 public:
  S3Writer(S3Store& store, const PutOptions& opts, uint64_t part_size)
      : BlobWriter(opts), store_(store), part_size_(part_size) {
    if (opts.oid) key_ = store.key_of(*opts.oid);
  }
  ~S3Writer() override { do_abort(); }

  Result<void> open_spool() {
    spool_path_ = store_.client().config().spool_dir + "/hubd-s3-spool-" +
                  hex_encode(random_bytes(12));
    spool_fd_ = ::open(spool_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (spool_fd_ < 0) {
      int e = errno;
      spool_path_.clear();
      return fail(Errc::io, "S3 spool file: " + std::string(std::strerror(e)));
    }
    // Unlinked at once: the kernel frees it whatever happens to this process.
    ::unlink(spool_path_.c_str());
    return {};
  }

 protected:
  Result<void> do_write(std::span<const std::byte> data) override {
    if (spool_fd_ >= 0) return write_all(spool_fd_, data.data(), data.size());
    return feed(data);
  }

  Result<void> do_commit(std::string_view oid, uint64_t size) override {
    if (spool_fd_ >= 0) {
      // Verified already; now send the spooled bytes to the object's key.
      key_ = store_.key_of(oid);
      std::string chunk(std::min<uint64_t>(part_size_, std::max<uint64_t>(size, 1)), '\0');
      uint64_t off = 0;
      while (off < size) {
        ssize_t n = ::pread(spool_fd_, chunk.data(), chunk.size(), off_t(off));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail(Errc::io, "S3 spool read failed");
        off += uint64_t(n);
        if (auto r = feed(std::as_bytes(std::span(chunk.data(), size_t(n)))); !r) return r;
      }
    }
    if (upload_id_.empty()) {
      // Small object: one PUT whose signed payload hash is the oid, so S3 checks the bytes too.
      S3Call call = make_call("PUT", key_, {}, buf_, std::string(oid));
      HUB_TRY(resp, store_.client().send(call));
      if (!ok_status(resp.status)) return s3_fail(resp, "PUT " + key_);
    } else {
      if (!buf_.empty())
        if (auto r = upload_part(); !r) return r;
      if (auto r = complete(); !r) return r;
    }
    finish_cleanup();
    return {};
  }

  void do_abort() override {
    if (!upload_id_.empty()) {
      S3Call call = make_call("DELETE", key_, {{"uploadId", upload_id_}});
      auto resp = store_.client().send(call);
      // Best effort: a leftover upload is invisible and a bucket lifecycle rule expires it.
      if (!resp || !ok_status(resp->status))
        log::warn("lfs: S3 AbortMultipartUpload failed", {{"key", key_}});
      upload_id_.clear();
    }
    finish_cleanup();
  }

 private:
  static Result<void> write_all(int fd, const std::byte* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return fail(errno == ENOSPC ? Errc::too_large : Errc::io,
                    "S3 spool write: " + std::string(std::strerror(errno)));
      }
      p += w;
      n -= size_t(w);
    }
    return {};
  }

  // Buffers up to one part; each full part is uploaded (starting the multipart upload).
  Result<void> feed(std::span<const std::byte> data) {
    while (!data.empty()) {
      if (buf_.capacity() < part_size_) buf_.reserve(part_size_);
      size_t take = std::min<size_t>(data.size(), part_size_ - buf_.size());
      buf_.append(reinterpret_cast<const char*>(data.data()), take);
      data = data.subspan(take);
      if (buf_.size() == part_size_)
        if (auto r = upload_part(); !r) return r;
    }
    return {};
  }

  Result<void> upload_part() {
    if (upload_id_.empty()) {
      S3Call init = make_call("POST", key_, {{"uploads", ""}});
      HUB_TRY(resp, store_.client().send(init));
      if (!ok_status(resp.status)) return s3_fail(resp, "CreateMultipartUpload " + key_);
      size_t a = resp.body.find("<UploadId>"), b = resp.body.find("</UploadId>");
      if (a == std::string::npos || b == std::string::npos || b <= a + 10)
        return fail(Errc::io, "S3 CreateMultipartUpload: no UploadId in reply");
      upload_id_ = resp.body.substr(a + 10, b - a - 10);
    }
    int number = int(etags_.size()) + 1;
    if (number > kMaxParts) return fail(Errc::too_large, "object needs more than 10000 S3 parts");
    // Parts are not signed by content hash: our own sha256 over the whole stream is the check
    // that matters, and hashing every part again would halve throughput.
    S3Call call = make_call("PUT", key_,
                            {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}},
                            buf_, std::string(sigv4::kUnsignedPayload));
    HUB_TRY(resp, store_.client().send(call));
    if (!ok_status(resp.status)) return s3_fail(resp, "UploadPart " + key_);
    std::string etag = resp.header("ETag");
    if (etag.empty()) return fail(Errc::io, "S3 UploadPart: reply without ETag");
    etags_.push_back(std::move(etag));
    buf_.clear();
    return {};
  }

  Result<void> complete() {
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i)
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags_[i] +
             "</ETag></Part>";
    xml += "</CompleteMultipartUpload>";
    S3Call call = make_call("POST", key_, {{"uploadId", upload_id_}}, xml);
    call.headers.push_back({"content-type", "application/xml"});
    HUB_TRY(resp, store_.client().send(call));
    // S3 may answer 200 and still fail: the error is then in the body.
    if (!ok_status(resp.status) || resp.body.find("<Error>") != std::string::npos)
      return s3_fail(resp, "CompleteMultipartUpload " + key_);
    upload_id_.clear();
    return {};
  }

  void finish_cleanup() {
    if (spool_fd_ >= 0) {
      ::close(spool_fd_);
      spool_fd_ = -1;
    }
    buf_.clear();
    buf_.shrink_to_fit();
  }

  S3Store& store_;
  uint64_t part_size_;
  std::string key_;
  std::string buf_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  std::string spool_path_;
  int spool_fd_ = -1;
};

class S3Reader final : public BlobReader {
 public:
  S3Reader(S3Client& client, std::string key, uint64_t size, uint64_t offset, uint64_t length)
      : client_(client), key_(std::move(key)), size_(size), offset_(offset), length_(length) {}

  Result<size_t> read(std::span<std::byte> out) override {
    if (buf_pos_ == buf_.size()) {
      uint64_t left = length_ - fetched_;
      if (left == 0 || out.empty()) return size_t(0);
      uint64_t n = std::min(left, kReadWindow);
      uint64_t first = offset_ + fetched_;
      // Ask for at least 2 bytes when the object has them: some S3 servers (s3rver 3.7) read
      // "bytes=0-0" as open-ended. The extra byte is dropped.
      uint64_t ask = std::max(n, std::min<uint64_t>(2, size_ - first));
      S3Call call = make_call("GET", key_);
      call.headers.push_back(
          {"range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + ask - 1)});
      call.max_response_bytes = size_t(ask);
      call.reserve_response_bytes = size_t(ask);
      HUB_TRY(resp, client_.send(call));
      if (resp.status != 206 && !(resp.status == 200 && first == 0 && ask == size_))
        return s3_fail(resp, "GET " + key_);
      if (resp.body.size() != ask)
        return fail(Errc::io, "S3 GET " + key_ + ": short ranged read (object changed?)");
      resp.body.resize(size_t(n));
      buf_ = std::move(resp.body);
      buf_pos_ = 0;
      fetched_ += n;
    }
    size_t take = std::min(out.size(), buf_.size() - buf_pos_);
    std::memcpy(out.data(), buf_.data() + buf_pos_, take);
    buf_pos_ += take;
    return take;
  }
  uint64_t object_size() const override { return size_; }
  uint64_t range_offset() const override { return offset_; }
  uint64_t range_length() const override { return length_; }

 private:
  S3Client& client_;
  std::string key_;
  uint64_t size_, offset_, length_;
  uint64_t fetched_ = 0;
  std::string buf_;
  size_t buf_pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<S3Store>> S3Store::open(std::string_view url) {
  HUB_TRY(config, S3Config::parse(url));
  return std::make_unique<S3Store>(std::move(config));
}

S3Store::S3Store(S3Config config) : client_(std::move(config)) {}

Result<std::unique_ptr<BlobWriter>> S3Store::begin_put(const PutOptions& opts) {
  if (opts.oid)
    if (auto r = check_oid(*opts.oid); !r) return std::unexpected(r.error());
  uint64_t part_size = client_.config().part_size;
  if (opts.size) {
    uint64_t need = (*opts.size + kMaxParts - 1) / kMaxParts;
    uint64_t mib = uint64_t(1) << 20;
    part_size = std::max(part_size, (need + mib - 1) / mib * mib);
  }
  auto writer = std::make_unique<S3Writer>(*this, opts, part_size);
  if (!opts.oid)
    if (auto r = writer->open_spool(); !r) return std::unexpected(r.error());
  return std::unique_ptr<BlobWriter>(std::move(writer));
}

Result<std::unique_ptr<BlobReader>> S3Store::get(std::string_view oid, ByteRange range) {
  HUB_TRY(size, stat(oid));
  if (range.offset > size)
    return fail(Errc::invalid_argument,
                "range starts at " + std::to_string(range.offset) + " past the object's " +
                    std::to_string(size) + " bytes",
                Detail::RangeNotSatisfiable);
  uint64_t length = size - range.offset;
  if (range.length) length = std::min(length, *range.length);
  return std::unique_ptr<BlobReader>(
      new S3Reader(client_, key_of(oid), size, range.offset, length));
}

Result<uint64_t> S3Store::stat(std::string_view oid) {
  if (auto r = check_oid(oid); !r) return std::unexpected(r.error());
  HUB_TRY(resp, client_.send(make_call("HEAD", key_of(oid))));
  if (resp.status == 404) return fail(Errc::not_found, "LFS object not found: " + std::string(oid));
  if (!ok_status(resp.status)) return s3_fail(resp, "HEAD " + key_of(oid));
  auto size = parse_u64(resp.header("Content-Length"));
  if (!size) return fail(Errc::io, "S3 HEAD: no Content-Length");
  return *size;
}

Result<void> S3Store::remove(std::string_view oid) {
  // S3 DELETE succeeds for missing keys; the interface promises not_found.
  if (auto st = stat(oid); !st) return std::unexpected(st.error());
  HUB_TRY(resp, client_.send(make_call("DELETE", key_of(oid))));
  if (!ok_status(resp.status)) return s3_fail(resp, "DELETE " + key_of(oid));
  return {};
}

std::optional<std::string> S3Store::presign_get(std::string_view oid, std::chrono::seconds ttl) {
  if (!is_valid_oid(oid)) return std::nullopt;
  int64_t secs = std::clamp<int64_t>(ttl.count(), 1, kMaxPresignSeconds);
  return client_.presign("GET", key_of(oid), secs);
}

bool S3Store::is_valid_scope(std::string_view scope) {
  if (scope.empty() || scope.size() > 64) return false;
  return std::all_of(scope.begin(), scope.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::optional<std::string> S3Store::presign_put(std::string_view oid, uint64_t size,
                                                std::chrono::seconds ttl, std::string_view scope) {
  if (!is_valid_oid(oid) || !is_valid_scope(scope)) return std::nullopt;
  int64_t secs = std::clamp<int64_t>(ttl.count(), 1, kMaxPresignSeconds);
  // Signing content-length makes S3 refuse a body of any other size.
  return client_.presign("PUT", staging_key_of(oid, scope), secs,
                         {{"content-length", std::to_string(size)}});
}

Result<void> S3Store::finalize_presigned_put(std::string_view oid, uint64_t size,
                                             std::string_view scope) {
  if (auto r = check_oid(oid); !r) return r;
  if (!is_valid_scope(scope)) return fail(Errc::invalid_argument, "invalid staging scope");
  std::string staged = staging_key_of(oid, scope);
  auto drop_staged = [&] { (void)client_.send(make_call("DELETE", staged)); };
  HUB_TRY(head, client_.send(make_call("HEAD", staged)));
  if (head.status == 404) return fail(Errc::not_found, "no upload staged for " + std::string(oid));
  if (!ok_status(head.status)) return s3_fail(head, "HEAD " + staged);
  if (parse_u64(head.header("Content-Length")) != size) {
    drop_staged();
    return fail(Errc::corrupt, "size mismatch: staged upload is not " + std::to_string(size) +
                                   " bytes", Detail::SizeMismatch);
  }
  S3Reader reader(client_, staged, size, 0, size);
  std::unique_ptr<BlobWriter> writer;  // above the copy limit the bytes are re-uploaded
  if (size > client_.config().max_copy_size) {
    HUB_TRY(w, begin_put(PutOptions{std::string(oid), size}));
    writer = std::move(w);
  }
  Sha256 hasher;
  std::vector<std::byte> buf(1 << 20);
  for (;;) {
    HUB_TRY(n, reader.read(buf));
    if (n == 0) break;
    auto chunk = std::span<const std::byte>(buf.data(), n);
    if (writer) {
      if (auto r = writer->write(chunk); !r) return r;
    } else {
      hasher.update(buf.data(), n);
    }
  }
  if (writer) {
    auto r = writer->commit(oid, size);  // verifies, then completes the multipart upload
    drop_staged();
    return r;
  }
  if (hasher.finish_hex() != oid) {
    drop_staged();
    return fail(Errc::corrupt, "sha256 mismatch in staged upload of " + std::string(oid),
                Detail::HashMismatch);
  }
  S3Call copy = make_call("PUT", key_of(oid));
  copy.headers.push_back({"x-amz-copy-source", client_.object_path(staged)});
  HUB_TRY(resp, client_.send(copy));
  // Like CompleteMultipartUpload, a copy can fail after a 200: the error is in the body.
  if (!ok_status(resp.status) || resp.body.find("<Error>") != std::string::npos)
    return s3_fail(resp, "CopyObject " + staged);
  drop_staged();
  return {};
}

Result<void> S3Store::ensure_bucket() {
  HUB_TRY(head, client_.send(make_call("HEAD", "")));
  if (ok_status(head.status)) return {};
  if (head.status != 404) return s3_fail(head, "HEAD bucket");
  HUB_TRY(resp, client_.send(make_call("PUT", "")));
  if (ok_status(resp.status)) return {};
  std::string code = resp.error_code();
  if (code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists") return {};
  return s3_fail(resp, "CreateBucket");
}

}  // namespace hub::storage::lfs
