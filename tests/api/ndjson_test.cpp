// NdjsonReader (bounded, incremental line splitting) and parse_commit_line (the commit
// payload's lines), without a server.
#include "api/ndjson.h"

#include <gtest/gtest.h>

#include "core/hash.h"

namespace hub::api {
namespace {

// Serves `body` in reads of at most `step` bytes, as a slow socket would.
NdjsonReader::ReadFn chunked(std::string body, size_t step) {
  return [body = std::move(body), step, off = size_t(0)](char* buf, size_t cap) mutable -> Result<size_t> {
    size_t n = std::min({cap, step, body.size() - off});
    std::copy_n(body.data() + off, n, buf);
    off += n;
    return n;
  };
}

std::vector<json::object> read_all(NdjsonReader& r) {
  std::vector<json::object> out;
  for (;;) {
    auto next = r.next();
    EXPECT_TRUE(next) << next.error().message;
    if (!next || !*next) return out;
    out.push_back(std::move(**next));
  }
}

TEST(NdjsonReader, SplitsLinesAcrossReadBoundaries) {
  std::string body = "{\"a\":1}\n\n  \r\n{\"b\":\"x\\ny\"}\r\n{\"c\":[1,2,3]}";  // blank lines, CRLF, no final \n
  for (size_t step : {1, 2, 7, 1000}) {
    NdjsonReader r(chunked(body, step));
    auto lines = read_all(r);
    ASSERT_EQ(lines.size(), 3u) << "step " << step;
    EXPECT_EQ(json::get_int(lines[0], "a"), 1);
    EXPECT_EQ(json::get_string(lines[1], "b"), "x\ny");
    EXPECT_EQ(lines[2].at("c").as_array().size(), 3u);
    EXPECT_EQ(r.line_number(), 5u);
  }
}

TEST(NdjsonReader, EmptyBodyHasNoLines) {
  NdjsonReader r(chunked("", 10));
  auto next = r.next();
  ASSERT_TRUE(next);
  EXPECT_FALSE(*next);
}

TEST(NdjsonReader, MalformedLineNamesItsNumber) {
  NdjsonReader r(chunked("{\"a\":1}\n{\"a\":\n", 3));
  ASSERT_TRUE(r.next());
  auto bad = r.next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
}

TEST(NdjsonReader, NonObjectLineIsRefused) {
  NdjsonReader r(chunked("[1,2]\n", 100));
  auto bad = r.next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

TEST(NdjsonReader, OverlongLineIsRefusedWithoutReadingTheRest) {
  NdjsonLimits lim;
  lim.max_line = 1000;
  size_t served = 0;
  // An endless line: the reader must stop soon after the cap, not at the end of the body.
  NdjsonReader r(
      [&served](char* buf, size_t cap) -> Result<size_t> {
        size_t n = std::min<size_t>(cap, 100);
        std::fill_n(buf, n, 'x');
        served += n;
        return n;
      },
      lim);
  auto bad = r.next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::too_large);
  EXPECT_LT(served, 2000u);
}

TEST(NdjsonReader, TotalLimitCountsEveryByte) {
  NdjsonLimits lim;
  lim.max_total = 50;
  std::string body;
  for (int i = 0; i < 10; ++i) body += "{\"i\":" + std::to_string(i) + "}\n";  // 80 bytes
  NdjsonReader r(chunked(body, 8), lim);
  Result<std::optional<json::object>> last;
  do last = r.next();
  while (last && *last);
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, Errc::too_large);
}

TEST(NdjsonReader, TooDeepLineIsAnErrorNotACrash) {
  NdjsonReader r(chunked(std::string(5000, '[') + "\n", 4096));
  auto bad = r.next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
}

TEST(NdjsonReader, DrainConsumesTheRest) {
  NdjsonReader r(chunked("{\"a\":1}\n" + std::string(10000, 'z'), 512));
  ASSERT_TRUE(r.next());
  EXPECT_TRUE(r.drain(1 << 20));
  EXPECT_EQ(r.bytes_read(), 10008u);
}

Result<CommitLine> line(std::string_view text) {
  auto v = json::parse(text);
  EXPECT_TRUE(v) << text;
  return parse_commit_line(v->as_object());
}

TEST(CommitLine, Header) {
  auto l = line(R"({"key":"header","value":{"summary":"Upload","description":"more","parentCommit":"abc1234"}})");
  ASSERT_TRUE(l);
  auto& h = std::get<services::CommitHeader>(*l);
  EXPECT_EQ(h.summary, "Upload");
  EXPECT_EQ(h.description, "more");
  EXPECT_EQ(h.parent_commit, "abc1234");
}

TEST(CommitLine, FileContentBase64AndUtf8) {
  std::string bin("a\0b\xff", 4);
  auto l = line(R"({"key":"file","value":{"path":"d/x.bin","content":")" + base64_encode(bin) +
                R"(","encoding":"base64"}})");
  ASSERT_TRUE(l);
  auto& op = std::get<services::CommitOp>(*l);
  EXPECT_EQ(op.kind, services::CommitOp::Kind::file);
  EXPECT_EQ(op.path, "d/x.bin");
  EXPECT_EQ(op.content, bin);
  auto u = line(R"({"key":"file","value":{"path":"t.txt","content":"héllo","encoding":"utf-8"}})");
  ASSERT_TRUE(u);
  EXPECT_EQ(std::get<services::CommitOp>(*u).content, "héllo");
}

TEST(CommitLine, BadBase64IsRefused) {
  for (std::string content : {"!!!!", "a", "YWJj=Q=="}) {
    auto l = line(R"({"key":"file","value":{"path":"x","content":")" + content + R"(","encoding":"base64"}})");
    ASSERT_FALSE(l) << content;
    EXPECT_EQ(l.error().code, Errc::invalid_argument);
    EXPECT_NE(l.error().message.find("base64"), std::string::npos);
  }
}

TEST(CommitLine, RefusedPathsAreInvalidPath) {
  for (std::string p : {"../x", "a/../b", "/abs.txt", "a\\\\b", ".git/config", "a/.git/x", "a//b", "./x"}) {
    auto l = line(R"({"key":"file","value":{"path":")" + p + R"(","content":"","encoding":"utf-8"}})");
    ASSERT_FALSE(l) << p;
    EXPECT_EQ(l.error().detail, Detail::InvalidPath) << p << ": " << l.error().message;
    auto d = line(R"({"key":"deletedFile","value":{"path":")" + p + R"("}})");
    ASSERT_FALSE(d) << p;
    EXPECT_EQ(d.error().detail, Detail::InvalidPath) << p;
  }
}

TEST(CommitLine, LfsFileWithAndWithoutSize) {
  std::string oid(64, 'a');
  auto l = line(R"({"key":"lfsFile","value":{"path":"m.bin","algo":"sha256","oid":")" + oid + R"(","size":42}})");
  ASSERT_TRUE(l);
  auto& op = std::get<services::CommitOp>(*l);
  EXPECT_EQ(op.kind, services::CommitOp::Kind::lfs_file);
  EXPECT_EQ(op.oid, oid);
  EXPECT_EQ(op.size, 42u);
  auto nosize = line(R"({"key":"lfsFile","value":{"path":"m.bin","oid":")" + std::string(64, 'B') + R"("}})");
  ASSERT_TRUE(nosize);
  EXPECT_FALSE(std::get<services::CommitOp>(*nosize).size);
  EXPECT_EQ(std::get<services::CommitOp>(*nosize).oid, std::string(64, 'b'));  // lower-cased
  EXPECT_FALSE(line(R"({"key":"lfsFile","value":{"path":"m.bin","oid":"abc"}})"));
  EXPECT_FALSE(line(R"({"key":"lfsFile","value":{"path":"m.bin","oid":")" + oid + R"(","size":-1}})"));
  EXPECT_FALSE(line(R"({"key":"lfsFile","value":{"path":"m.bin","algo":"md5","oid":")" + oid + R"("}})"));
}

TEST(CommitLine, DeletedFolderMayEndInSlash) {
  auto l = line(R"({"key":"deletedFolder","value":{"path":"logs/"}})");
  ASSERT_TRUE(l);
  auto& op = std::get<services::CommitOp>(*l);
  EXPECT_EQ(op.kind, services::CommitOp::Kind::delete_folder);
  EXPECT_EQ(op.path, "logs");
}

TEST(CommitLine, UnknownOrShapelessLinesAreRefused) {
  EXPECT_FALSE(line(R"({"key":"copy","value":{"path":"a"}})"));
  EXPECT_FALSE(line(R"({"key":"file"})"));
  EXPECT_FALSE(line(R"({"key":"file","value":"x"})"));
  EXPECT_FALSE(line(R"({"key":"file","value":{"content":"x"}})"));
  EXPECT_FALSE(line(R"({"key":"file","value":{"path":"a","content":"x","encoding":"rot13"}})"));
}

TEST(CommitJson, OlderSingleObjectForm) {
  auto v = json::parse(R"({"summary":"s","files":[{"path":"a.txt","content":"aGk=","encoding":"base64"}],
      "deletedFiles":[{"path":"old.txt"}],"deletedFolders":[{"path":"logs/"}]})");
  ASSERT_TRUE(v);
  auto parsed = parse_commit_json(v->as_object());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->first.summary, "s");
  ASSERT_EQ(parsed->second.size(), 3u);
  EXPECT_EQ(parsed->second[0].content, "hi");
  EXPECT_EQ(parsed->second[2].path, "logs");
}

}  // namespace
}  // namespace hub::api
