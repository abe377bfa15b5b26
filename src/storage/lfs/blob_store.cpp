#include "storage/lfs/blob_store.h"

#include "storage/lfs/local_store.h"
#include "storage/lfs/s3_store.h"

namespace hub::storage::lfs {

Result<void> BlobWriter::write(std::span<const std::byte> data) {
  if (finished_) return fail(Errc::invalid_argument, "blob writer already committed or aborted");
  if (expected_.size && bytes_written_ + data.size() > *expected_.size) {
    abort();
    return fail(Errc::too_large, "upload larger than its declared size " +
                                     std::to_string(*expected_.size));
  }
  if (data.empty()) return {};
  hasher_.update(data.data(), data.size());
  if (auto r = do_write(data); !r) {
    abort();
    return r;
  }
  bytes_written_ += data.size();
  return {};
}

Result<void> BlobWriter::commit(std::string_view expected_oid, uint64_t expected_size) {
  if (finished_) return fail(Errc::invalid_argument, "blob writer already committed or aborted");
  if (auto r = check_oid(expected_oid); !r) {
    abort();
    return r;
  }
  if (expected_.oid && *expected_.oid != expected_oid) {
    abort();
    return fail(Errc::invalid_argument, "commit names another oid than the upload was begun for");
  }
  if (bytes_written_ != expected_size) {
    abort();
    return fail(Errc::corrupt,
                "size mismatch: expected " + std::to_string(expected_size) + " bytes, received " +
                    std::to_string(bytes_written_),
                Detail::SizeMismatch);
  }
  std::string actual = hasher_.finish_hex();
  if (actual != expected_oid) {
    abort();
    return fail(Errc::corrupt, "sha256 mismatch: expected " + std::string(expected_oid) +
                                   ", received " + actual,
                Detail::HashMismatch);
  }
  finished_ = true;
  auto r = do_commit(expected_oid, expected_size);
  if (!r) do_abort();
  return r;
}

void BlobWriter::abort() {
  finished_ = true;
  do_abort();
}

Result<bool> BlobStore::exists(std::string_view oid) {
  auto st = stat(oid);
  if (st) return true;
  if (st.error().code == Errc::not_found) return false;
  return std::unexpected(st.error());
}

std::optional<std::string> BlobStore::presign_get(std::string_view, std::chrono::seconds) {
  return std::nullopt;
}

std::optional<std::string> BlobStore::presign_put(std::string_view, uint64_t,
                                                  std::chrono::seconds, std::string_view) {
  return std::nullopt;
}

Result<void> BlobStore::finalize_presigned_put(std::string_view, uint64_t, std::string_view) {
  return fail(Errc::unsupported, "this blob store has no presigned uploads");
}

Result<void> put_blob(BlobStore& store, std::string_view oid, std::string_view data) {
  HUB_TRY(writer, store.begin_put(PutOptions{std::string(oid), data.size()}));
  if (auto r = writer->write(data); !r) return r;
  return writer->commit(oid, data.size());
}

Result<std::string> read_blob(BlobStore& store, std::string_view oid, ByteRange range,
                              size_t max_bytes) {
  HUB_TRY(reader, store.get(oid, range));
  if (reader->range_length() > max_bytes)
    return fail(Errc::too_large, "blob range larger than " + std::to_string(max_bytes));
  std::string out(reader->range_length(), '\0');
  size_t filled = 0;
  while (filled < out.size()) {
    HUB_TRY(n, reader->read(out.data() + filled, out.size() - filled));
    if (n == 0) return fail(Errc::io, "blob ended early while reading " + std::string(oid));
    filled += n;
  }
  return out;
}

Result<std::unique_ptr<BlobStore>> open_blob_store(std::string_view spec) {
  if (spec.starts_with("s3://")) {
    HUB_TRY(s3, S3Store::open(spec));
    return std::unique_ptr<BlobStore>(std::move(s3));
  }
  std::string_view dir = spec;
  if (dir.starts_with("file://")) dir.remove_prefix(7);
  if (dir.empty()) return fail(Errc::invalid_argument, "empty blob store location");
  HUB_TRY(local, LocalStore::open(std::string(dir)));
  local->cleanup_temps();
  return std::unique_ptr<BlobStore>(std::move(local));
}

}  // namespace hub::storage::lfs
