#include "api/ndjson.h"

#include "core/hash.h"
#include "storage/git/paths.h"

namespace hub::api {

namespace {

constexpr size_t kReadChunk = 256 * 1024;

std::string human_bytes(uint64_t n) {
  if (n >= (uint64_t(1) << 30) && n % (uint64_t(1) << 30) == 0) return std::to_string(n >> 30) + " GiB";
  if (n >= (uint64_t(1) << 20) && n % (uint64_t(1) << 20) == 0) return std::to_string(n >> 20) + " MiB";
  return std::to_string(n) + " bytes";
}

// The Hub refuses these paths with 422 (HUB_API.md §7.3); storage/git's rule covers the rest
// (.git segments, "..", backslashes, control characters, length).
Result<std::string> checked_path(const json::object& value, std::string_view what) {
  auto path = json::get_string(value, "path");
  if (!path || path->empty()) return fail(Errc::invalid_argument, std::string(what) + " without a \"path\"");
  if (path->front() == '/')
    return fail(Errc::invalid_argument, "Invalid path (leading '/'): " + std::string(*path), Detail::InvalidPath);
  if (auto r = storage::git::validate_repo_path(*path); !r)
    return fail(Errc::invalid_argument, "Invalid path: " + r.error().message, Detail::InvalidPath);
  return std::string(*path);
}

Result<services::CommitOp> file_op(json::object& v) {
  HUB_TRY(path, checked_path(v, "file"));
  services::CommitOp op{services::CommitOp::Kind::file, std::move(path), {}, {}, {}};
  std::string encoding(json::get_string(v, "encoding").value_or("utf-8"));
  auto* content = v.if_contains("content");
  if (!content || !content->is_string()) return fail(Errc::invalid_argument, "file " + op.path + " without a string \"content\"");
  auto& text = content->as_string();
  if (encoding == "base64") {
    auto bytes = base64_decode(std::string_view(text.data(), text.size()));
    if (!bytes) return fail(Errc::invalid_argument, "Invalid base64 content for " + op.path);
    op.content = std::move(*bytes);
  } else if (encoding == "utf-8" || encoding == "utf8") {
    op.content.assign(text.data(), text.size());
  } else {
    return fail(Errc::invalid_argument, "Unknown encoding \"" + encoding + "\" for " + op.path);
  }
  text = "";  // release the encoded copy early: lines can be tens of MB
  return op;
}

Result<services::CommitOp> lfs_op(const json::object& v) {
  HUB_TRY(path, checked_path(v, "lfsFile"));
  services::CommitOp op{services::CommitOp::Kind::lfs_file, std::move(path), {}, {}, {}};
  if (auto algo = json::get_string(v, "algo"); algo && *algo != "sha256")
    return fail(Errc::invalid_argument, "Unsupported LFS algo for " + op.path + ": " + std::string(*algo));
  auto oid = json::get_string(v, "oid");
  if (!oid || !is_hex(*oid, 64)) return fail(Errc::invalid_argument, "lfsFile " + op.path + " needs a sha256 \"oid\"");
  for (char c : *oid) op.oid += char(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  if (auto* size = v.if_contains("size"); size && !size->is_null()) {
    auto n = json::get_int(v, "size");
    if (!n || *n < 0) return fail(Errc::invalid_argument, "lfsFile " + op.path + " has an invalid \"size\"");
    op.size = uint64_t(*n);
  }
  return op;
}

Result<services::CommitOp> delete_op(const json::object& v, bool folder) {
  const char* what = folder ? "deletedFolder" : "deletedFile";
  auto raw = json::get_string(v, "path");
  std::string p(raw.value_or(""));
  // "logs/" names the folder logs.
  if (folder && p.size() > 1 && p.back() == '/') p.pop_back();
  json::object fixed{{"path", p}};
  HUB_TRY(path, checked_path(fixed, what));
  return services::CommitOp{folder ? services::CommitOp::Kind::delete_folder : services::CommitOp::Kind::delete_file,
                            std::move(path), {}, {}, {}};
}

services::CommitHeader header_of(const json::object& v) {
  services::CommitHeader h;
  h.summary = std::string(json::get_string(v, "summary").value_or(""));
  h.description = std::string(json::get_string(v, "description").value_or(""));
  h.parent_commit = std::string(json::get_string(v, "parentCommit").value_or(""));
  return h;
}

}  // namespace

NdjsonReader::NdjsonReader(ReadFn read, NdjsonLimits limits) : read_(std::move(read)), limits_(limits) {}

Result<bool> NdjsonReader::fill() {
  if (eof_) return false;
  // Compact before growing, so buf_ holds at most one line plus one chunk.
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  // Read into a chunk kept across calls and append what came: resizing buf_ up by a chunk
  // and back each call zero-filled 256 KiB per read, however few bytes a read returned
  // (a body trickling in a byte at a time cost 256 KiB of memset per byte).
  if (chunk_.empty()) chunk_.resize(kReadChunk);
  auto got = read_(chunk_.data(), chunk_.size());
  if (!got) return std::unexpected(got.error());
  buf_.append(chunk_.data(), *got);
  total_ += *got;
  if (total_ > limits_.max_total)
    return fail(Errc::too_large, "Commit payload larger than " + human_bytes(limits_.max_total));
  if (*got == 0) eof_ = true;
  return *got > 0;
}

Result<std::optional<json::object>> NdjsonReader::next() {
  for (;;) {
    size_t scan_from = pos_;
    size_t nl;
    while ((nl = buf_.find('\n', scan_from)) == std::string::npos) {
      if (buf_.size() - pos_ > limits_.max_line) break;
      scan_from = buf_.size();
      size_t base = pos_;
      HUB_TRY(more, fill());
      scan_from -= base;  // fill() moved the unconsumed bytes to the front
      if (!more) break;
    }
    size_t end = nl == std::string::npos ? buf_.size() : nl;
    if (end - pos_ > limits_.max_line) {
      return fail(Errc::too_large, "NDJSON line " + std::to_string(line_no_ + 1) + " is larger than " +
                                       human_bytes(limits_.max_line) + "; upload large files with Git LFS");
    }
    if (end == pos_ && nl == std::string::npos) return std::optional<json::object>();  // end of body
    std::string_view line(buf_.data() + pos_, end - pos_);
    pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto v = json::parse(line, unsigned(limits_.max_depth));
    if (!v) return fail(Errc::invalid_argument, "Malformed NDJSON line " + std::to_string(line_no_) + ": " + v.error().message);
    if (!v->is_object())
      return fail(Errc::invalid_argument, "NDJSON line " + std::to_string(line_no_) + " is not a JSON object");
    return std::optional<json::object>(std::move(v->as_object()));
  }
}

bool NdjsonReader::drain(uint64_t max_bytes) {
  std::string sink(kReadChunk, '\0');
  uint64_t drained = 0;
  while (!eof_ && drained < max_bytes) {
    auto got = read_(sink.data(), sink.size());
    if (!got) return false;
    if (*got == 0) eof_ = true;
    drained += *got;
    total_ += *got;
  }
  return eof_;
}

Result<CommitLine> parse_commit_line(json::object& line) {
  auto key = json::get_string(line, "key");
  auto* value = line.if_contains("value");
  if (!key || !value || !value->is_object())
    return fail(Errc::invalid_argument, "Each NDJSON line needs a \"key\" and an object \"value\"");
  auto& v = value->as_object();
  if (*key == "header") return CommitLine(header_of(v));
  if (*key == "file") {
    HUB_TRY(op, file_op(v));
    return CommitLine(std::move(op));
  }
  if (*key == "lfsFile") {
    HUB_TRY(op, lfs_op(v));
    return CommitLine(std::move(op));
  }
  if (*key == "deletedFile" || *key == "deletedFolder") {
    HUB_TRY(op, delete_op(v, *key == "deletedFolder"));
    return CommitLine(std::move(op));
  }
  return fail(Errc::invalid_argument, "Unknown NDJSON key \"" + std::string(*key) + "\"");
}

Result<std::pair<services::CommitHeader, std::vector<services::CommitOp>>> parse_commit_json(json::object& body) {
  std::pair<services::CommitHeader, std::vector<services::CommitOp>> out{header_of(body), {}};
  auto each = [&](std::string_view key, auto&& parse) -> Result<void> {
    auto* arr = body.if_contains(key);
    if (!arr || arr->is_null()) return {};
    if (!arr->is_array()) return fail(Errc::invalid_argument, "\"" + std::string(key) + "\" must be an array");
    for (auto& item : arr->as_array()) {
      if (!item.is_object()) return fail(Errc::invalid_argument, "\"" + std::string(key) + "\" items must be objects");
      HUB_TRY(op, parse(item.as_object()));
      out.second.push_back(std::move(op));
    }
    return {};
  };
  if (auto r = each("files", [](json::object& v) { return file_op(v); }); !r) return std::unexpected(r.error());
  if (auto r = each("lfsFiles", [](json::object& v) { return lfs_op(v); }); !r) return std::unexpected(r.error());
  if (auto r = each("deletedFiles", [](json::object& v) { return delete_op(v, false); }); !r)
    return std::unexpected(r.error());
  if (auto r = each("deletedFolders", [](json::object& v) { return delete_op(v, true); }); !r)
    return std::unexpected(r.error());
  return out;
}

}  // namespace hub::api
