#include "api/revision.h"

#include <gtest/gtest.h>

#include <set>

namespace hub::api {
namespace {

using Segs = std::vector<std::string>;

TEST(SplitRevPath, BranchThenPath) {
  auto r = split_rev_path(Segs{"main", "sub", "file.txt"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revision, "main");
  EXPECT_EQ(r->path, "sub/file.txt");
}

TEST(SplitRevPath, RawPullRequestRefTakesThreeSegments) {
  auto r = split_rev_path(Segs{"refs", "pr", "1", "config.json"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revision, "refs/pr/1");
  EXPECT_EQ(r->path, "config.json");
  auto c = split_rev_path(Segs{"refs", "convert", "parquet", "default", "train", "0.parquet"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->revision, "refs/convert/parquet");
  EXPECT_EQ(c->path, "default/train/0.parquet");
}

TEST(SplitRevPath, EncodedRefIsOneSegment) {
  // "refs%2Fpr%2F1" arrives decoded as one segment: the whole segment is the revision.
  auto r = split_rev_path(Segs{"refs/pr/1", "a", "b.bin"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revision, "refs/pr/1");
  EXPECT_EQ(r->path, "a/b.bin");
}

TEST(SplitRevPath, ShaAndHead) {
  std::string sha(40, 'a');
  auto r = split_rev_path(Segs{sha, "x"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revision, sha);
  auto h = split_rev_path(Segs{"HEAD"});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->revision, "HEAD");
  EXPECT_EQ(h->path, "");
}

TEST(SplitRevPath, PathSegmentWithEncodedSlash) {
  // Python's tree call encodes '/' in the path as %2F: one decoded segment "sub/dir".
  auto r = split_rev_path(Segs{"main", "sub/dir"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "sub/dir");
}

TEST(SplitRevPath, RawBranchWithSlashFoundThroughResolver) {
  std::set<std::string> known{"main", "feature/x"};
  auto resolves = [&](std::string_view rev) { return known.count(std::string(rev)) > 0; };
  auto r = split_rev_path(Segs{"feature", "x", "dir", "f.txt"}, resolves);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revision, "feature/x");
  EXPECT_EQ(r->path, "dir/f.txt");
  // Known short revisions are not extended.
  auto m = split_rev_path(Segs{"main", "feature", "x"}, resolves);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->revision, "main");
  EXPECT_EQ(m->path, "feature/x");
  // Nothing resolves: the first segment is the revision (the caller reports RevisionNotFound).
  auto u = split_rev_path(Segs{"nope", "f"}, resolves);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->revision, "nope");
}

TEST(SplitRevPath, RejectsDotSegmentsAndEmptyRevision) {
  EXPECT_FALSE(split_rev_path(Segs{"main", "..", "etc"}));
  EXPECT_FALSE(split_rev_path(Segs{"main", "a/../b"}));
  EXPECT_FALSE(split_rev_path(Segs{"main", "./a"}));
  EXPECT_FALSE(split_rev_path(Segs{}));
  EXPECT_FALSE(split_rev_path(Segs{""}));
  EXPECT_EQ(split_rev_path(Segs{"main", ".."}).error().code, Errc::invalid_argument);
}

TEST(JoinRevision, JoinsRawRefs) {
  EXPECT_EQ(*join_revision(Segs{"refs", "pr", "3"}), "refs/pr/3");
  EXPECT_EQ(*join_revision(Segs{"v1.0"}), "v1.0");
  EXPECT_FALSE(join_revision(Segs{}));
}

TEST(NormalizeRepoPath, CollapsesSlashesAndRejectsEscapes) {
  EXPECT_EQ(*normalize_repo_path("/a//b/"), "a/b");
  EXPECT_EQ(*normalize_repo_path(""), "");
  EXPECT_EQ(*normalize_repo_path("dir/file name.txt"), "dir/file name.txt");
  EXPECT_FALSE(normalize_repo_path("a/../../b"));
  EXPECT_FALSE(normalize_repo_path("a\\b"));
  EXPECT_FALSE(normalize_repo_path(std::string("a\0b", 3)));
}

TEST(EncodePath, KeepsSlashesEncodesTheRest) {
  EXPECT_EQ(encode_path("sub dir/é.txt"), "sub%20dir/%C3%A9.txt");
  EXPECT_EQ(encode_path("a/b?c#d"), "a/b%3Fc%23d");
}

}  // namespace
}  // namespace hub::api
