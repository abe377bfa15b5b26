#include "storage/db/database.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/hash.h"

namespace hub::storage::db {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("hubd-db-" + hex_encode(random_bytes(6)));
    std::filesystem::create_directories(dir);
    auto d = Database::open((dir / "hubd.db").string());
    ASSERT_TRUE(d.has_value()) << d.error().message;
    db = std::move(*d);
  }
  void TearDown() override {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  Account user(std::string name) {
    Account a;
    a.name = std::move(name);
    a.created_at = 1;
    auto r = db->create_account(a);
    EXPECT_TRUE(r.has_value());
    return *r;
  }
  RepoRow repo(std::string ns, std::string name, bool priv = false) {
    RepoRow r;
    r.uid = hex_encode(random_bytes(6));
    r.type = "model";
    r.ns = std::move(ns);
    r.name = std::move(name);
    r.is_private = priv;
    auto out = db->create_repo(r);
    EXPECT_TRUE(out.has_value()) << out.error().message;
    return *out;
  }
  std::filesystem::path dir;
  std::unique_ptr<Database> db;
};

// The Database interface itself is checked on both backends by conformance_test.cpp; what
// stays here is SQLite's own: a plain path opens, a file that is not a database is refused.
TEST_F(SqliteTest, APlainPathOpensTheSameFile) {
  user("alice");
  db.reset();
  auto again = Database::open("sqlite://" + (dir / "hubd.db").string());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->account_by_name("alice")->name, "alice");
}

TEST_F(SqliteTest, RefusesAFileThatIsNotADatabase) {
  auto bad = dir / "garbage.db";
  FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("this is not sqlite, just some text that is long enough to have a header......", f);
  std::fclose(f);
  auto d = Database::open(bad.string());
  ASSERT_FALSE(d.has_value());
}

}  // namespace
}  // namespace hub::storage::db
