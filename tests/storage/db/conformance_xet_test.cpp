// Conformance cases (both backends, see conformance_test.cpp) for the Xet CAS tables of issue 16
// (migration 7): xorbs and their repo links, shards registering files atomically, sha256 lookups
// scoped to a repo, and the dedup index.
#include "storage/db/conformance_fixture.h"

namespace hub::storage::db {
namespace {

class ConformanceXet : public testing::Conformance {
 protected:
  static XetXorbRow xorb(char c, int64_t at = 1) {
    return XetXorbRow{std::string(64, c), std::string(64, char(c + 1)), 100, 200, 3, "index-" + std::string(1, c), at};
  }
  static XetFileRow file(char c, std::string sha, int64_t at = 1) {
    return XetFileRow{std::string(64, c), std::move(sha), 200, "terms-" + std::string(1, c), at};
  }
};

TEST_P(ConformanceXet, XorbsStoreOnceAndLinkPerRepo) {
  Account u = user("alice");
  RepoRow a = repo("alice", "a"), b = repo("alice", "b");
  EXPECT_FALSE(db->xet_xorb(std::string(64, '1')).has_value());
  EXPECT_EQ(db->xet_xorb(std::string(64, '1')).error().code, Errc::not_found);
  auto first = db->put_xet_xorb(xorb('1'), a.id, u.id);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*db->put_xet_xorb(xorb('1', 9), a.id, u.id));  // again: nothing new
  EXPECT_FALSE(*db->put_xet_xorb(xorb('1', 9), b.id, u.id));  // another repo: linked, row kept
  auto got = db->xet_xorb(std::string(64, '1'));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->sha256, std::string(64, '2'));
  EXPECT_EQ(got->size, 100u);
  EXPECT_EQ(got->unpacked, 200u);
  EXPECT_EQ(got->num_chunks, 3u);
  EXPECT_EQ(got->chunks, "index-1");
  EXPECT_EQ(got->created_at, 1);
  EXPECT_EQ(*db->xet_xorb_repos(std::string(64, '1'), 10), (std::vector<int64_t>{a.id, b.id}));
  EXPECT_EQ(*db->xet_xorb_repos(std::string(64, '1'), 1), (std::vector<int64_t>{a.id}));
  ASSERT_TRUE(db->delete_repo(a.id).has_value());
  EXPECT_EQ(*db->xet_xorb_repos(std::string(64, '1'), 10), (std::vector<int64_t>{b.id}));
}

TEST_P(ConformanceXet, ShardsRegisterFilesLinksAndDedupAtOnce) {
  Account u = user("alice");
  RepoRow a = repo("alice", "a"), b = repo("alice", "b", true);
  ASSERT_TRUE(db->put_xet_xorb(xorb('1'), a.id, u.id).has_value());
  ASSERT_TRUE(db->put_xet_xorb(xorb('3'), a.id, u.id).has_value());
  std::string sha(64, 'e');
  XetShardUpload s;
  s.sha256 = std::string(64, 'a');
  s.size = 500;
  s.repo_id = a.id;
  s.uploader_id = u.id;
  s.files = {file('f', sha, 5), file('d', "", 5)};
  s.xorbs = {std::string(64, '1')};
  s.dedup = {{std::string(64, 'c'), std::string(64, '1')}, {std::string(64, 'c'), std::string(64, '3')}};
  s.at = 5;
  auto r = db->put_xet_shard(s);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(*r);
  EXPECT_FALSE(*db->put_xet_shard(s));  // same shard again: success, nothing new
  auto f = db->xet_file(std::string(64, 'f'));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->sha256, sha);
  EXPECT_EQ(f->size, 200u);
  EXPECT_EQ(f->terms, "terms-f");
  EXPECT_EQ(db->xet_file(std::string(64, '0')).error().code, Errc::not_found);
  EXPECT_TRUE(*db->repo_has_xet_file(a.id, std::string(64, 'f')));
  EXPECT_FALSE(*db->repo_has_xet_file(b.id, std::string(64, 'f')));
  // sha256 lookups see only files registered through that repo.
  auto by = db->xet_files_by_sha256(a.id, sha);
  ASSERT_TRUE(by.has_value());
  ASSERT_EQ(by->size(), 1u);
  EXPECT_EQ(by->front().hash, std::string(64, 'f'));
  EXPECT_TRUE(db->xet_files_by_sha256(b.id, sha)->empty());
  EXPECT_TRUE(db->xet_files_by_sha256(a.id, std::string(64, '9'))->empty());
  // One sha256, two Xet files (two chunkers), newest registration first.
  XetShardUpload s2 = s;
  s2.sha256 = std::string(64, 'b');
  s2.files = {file('8', sha, 7)};
  s2.xorbs = {std::string(64, '3')};
  s2.repo_id = b.id;
  s2.at = 7;
  ASSERT_TRUE(*db->put_xet_shard(s2));
  s2.sha256 = std::string(64, '7');
  s2.repo_id = a.id;
  ASSERT_TRUE(*db->put_xet_shard(s2));
  by = db->xet_files_by_sha256(a.id, sha);
  ASSERT_EQ(by->size(), 2u);
  EXPECT_EQ((*by)[0].hash, std::string(64, '8'));
  EXPECT_EQ((*by)[1].hash, std::string(64, 'f'));
  EXPECT_EQ(db->xet_files_by_sha256(b.id, sha)->size(), 1u);
  // Links and dedup entries.
  EXPECT_EQ(*db->xet_xorb_repos(std::string(64, '3'), 10), (std::vector<int64_t>{a.id, b.id}));
  EXPECT_EQ(*db->xet_dedup_xorbs(std::string(64, 'c'), 10),
            (std::vector<std::string>{std::string(64, '1'), std::string(64, '3')}));
  EXPECT_EQ(db->xet_dedup_xorbs(std::string(64, 'c'), 1)->size(), 1u);
  EXPECT_TRUE(db->xet_dedup_xorbs(std::string(64, '5'), 10)->empty());
}

TEST_P(ConformanceXet, AFailedShardRegistersNothing) {
  Account u = user("alice");
  RepoRow a = repo("alice", "a");
  XetShardUpload s;
  s.sha256 = std::string(64, 'a');
  s.repo_id = a.id;
  s.uploader_id = u.id;
  s.files = {file('f', std::string(64, 'e'))};
  // A dedup entry naming a xorb that is not stored violates its foreign key: the whole shard
  // rolls back, files included. (SQLite enforces it only with foreign_keys on; skip otherwise.)
  s.dedup = {{std::string(64, 'c'), std::string(64, '1')}};
  auto r = db->put_xet_shard(s);
  if (r) GTEST_SKIP() << "backend does not enforce foreign keys";
  EXPECT_EQ(db->xet_file(std::string(64, 'f')).error().code, Errc::not_found);
  EXPECT_FALSE(*db->repo_has_xet_file(a.id, std::string(64, 'f')));
  s.dedup.clear();
  EXPECT_TRUE(*db->put_xet_shard(s));  // the retry registers it
  EXPECT_TRUE(*db->repo_has_xet_file(a.id, std::string(64, 'f')));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceXet, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
