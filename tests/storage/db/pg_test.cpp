// PostgreSQL-only parts of storage/db: the URL, the pool reconnecting after the server drops a
// connection, and the word cutter behind full-text search (untrusted text, malformed UTF-8).
// Everything the Database interface promises is in conformance_test.cpp, on both backends.
#include <gtest/gtest.h>

#include <random>

#include "core/hash.h"
#include "storage/db/pg_database.h"
#include "storage/db/pg_harness.h"

namespace hub::storage::db {
namespace {

TEST(PgUrl, KeepsLibpqPartsAndTakesThePoolSize) {
  auto u = pg::parse_url("postgres://hub@db.example:5433/hub?sslmode=disable&pool=3");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->conninfo, "postgres://hub@db.example:5433/hub?sslmode=disable");
  EXPECT_EQ(u->pool, 3u);
  EXPECT_EQ(pg::parse_url("postgresql://h/db")->pool, 8u);
  EXPECT_EQ(pg::parse_url("postgres://h/db?pool=0").error().code, Errc::invalid_argument);
  EXPECT_EQ(pg::parse_url("postgres://h/db?pool=x").error().code, Errc::invalid_argument);
  EXPECT_EQ(pg::parse_url("mysql://h/db").error().code, Errc::invalid_argument);
}

TEST(PgUrl, AnUnreachableServerIsAClearError) {
  char tmpl[] = "/tmp/hubd-nopg-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  auto d = Database::open(std::string("postgres:///hub?host=") + tmpl + "&connect_timeout=2");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, Errc::io);
  EXPECT_NE(d.error().message.find("cannot connect"), std::string::npos) << d.error().message;
  ::rmdir(tmpl);
}

TEST(PgWords, CutLikeTheSqliteTokenizer) {
  using V = std::vector<std::string>;
  EXPECT_EQ(search_words("Hello, BERT-base_v2!"), (V{"hello", "bert", "base", "v2"}));
  EXPECT_EQ(search_words("Café ÀÉÎÕÜ Ñandú straße Æsir"), (V{"cafe", "aeiou", "nandu", "straße", "æsir"}));
  EXPECT_EQ(search_words("WebText\xe2\x80\x94" "40GB \xf0\x9f\x98\x80ok"), (V{"webtext", "40gb", "ok"}));
  EXPECT_EQ(search_words("ΑΘΗΝΑ Москва 東京"), (V{"αθηνα", "москва", "東京"}));
  EXPECT_EQ(search_words("a\xff" "b\xc3"), (V{"a", "b"}));  // invalid bytes separate
  EXPECT_TRUE(search_words("").empty());
  EXPECT_TRUE(search_words("--- !!! \xe2\x80\x9c\xe2\x80\x9d").empty());
}

TEST(PgWords, MalformedInputNeverYieldsInvalidUtf8OrEmptyWords) {
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    std::string s(size_t(rng() % 40), '\0');
    for (auto& c : s) c = char(rng() % 4 == 0 ? 0x80 + rng() % 0x80 : rng() % 256);
    for (const auto& w : search_words(s)) {
      ASSERT_FALSE(w.empty());
      EXPECT_EQ(pg::text_safe(w), w);  // valid UTF-8, no NUL
    }
  }
  EXPECT_EQ(pg::text_safe(std::string("a\0b\xff", 4)), "ab\xEF\xBF\xBD");
  EXPECT_EQ(pg::array_literal({"a", "b\"c", "d\\e", ""}), R"({"a","b\"c","d\\e",""})");
}

TEST(PgPool, ReconnectsAfterTheServerDropsIdleConnections) {
  auto& srv = testing::PgServer::shared();
  if (!srv.available()) GTEST_SKIP() << srv.why();
  std::string schema = "t_" + hex_encode(random_bytes(6));
  auto d = Database::open(srv.url(schema) + "&application_name=hubd_" + schema);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  Account a;
  a.name = "before";
  ASSERT_TRUE((*d)->create_account(a).has_value());
  // Kill every backend of this handle (as a restart or an idle timeout would), and wait until
  // the server has really closed them.
  ASSERT_EQ(srv.psql("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = 'hubd_" +
                     schema + "'"),
            0);
  ASSERT_EQ(srv.psql("DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'hubd_" +
                     schema + "') LOOP PERFORM pg_sleep(0.01); END LOOP; END $$"),
            0);
  auto again = (*d)->account_by_name("before");
  ASSERT_TRUE(again.has_value()) << again.error().message;
  a.name = "after";
  EXPECT_TRUE((*d)->create_account(a).has_value());
}

}  // namespace
}  // namespace hub::storage::db
