// services/indexer: what a push puts in the listing index, on real repos built with
// CommitBuilder: card/config variants, a branch other than main, and hostile content (malformed
// YAML, YAML bombs, a 10 MB README, invalid UTF-8, lying safetensors and GGUF headers), which must
// be recorded as errors while the rest is indexed.
#include "services/indexer.h"

#include <cstring>

#include "core/hash.h"
#include "core/json.h"
#include "explore_fixture.h"
#include "services/lfs.h"
#include "services/weights_info.h"

namespace hub::services {
namespace {

using testing::ExploreTest;

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[size_t(i)] = char((v >> (8 * i)) & 0xff);
  return s;
}
std::string safetensors(const std::string& header, size_t data_bytes, std::optional<uint64_t> claimed = {}) {
  return le64(claimed.value_or(header.size())) + header + std::string(data_bytes, '\0');
}

class IndexerTest : public ExploreTest {
 protected:
  storage::db::RepoIndexRow row_of(const RepoHandle& h) {
    auto r = hub_->db().repo_index(h.row.id);
    EXPECT_TRUE(r && *r);
    return r && *r ? **r : storage::db::RepoIndexRow{};
  }
  json::object extra_of(const storage::db::RepoIndexRow& r) { return json::parse(r.extra)->as_object(); }
  json::array errors_of(const storage::db::RepoIndexRow& r) { return json::parse(r.errors)->as_array(); }
  bool has_tag(const storage::db::RepoIndexRow& r, std::string_view t) {
    return std::find(r.tags.begin(), r.tags.end(), t) != r.tags.end();
  }
  Principal alice_;
  void SetUp() override {
    ExploreTest::SetUp();
    alice_ = user("alice");
  }
};

TEST_F(IndexerTest, NewRepoIsIndexedAtCreation) {
  auto h = repo(alice_, "fresh");
  auto r = row_of(h);
  EXPECT_EQ(r.commit.size(), 40u);
  EXPECT_FALSE(r.pipeline_tag);
}

// PIPELINE_TAG.md 4.4 (issue 15): config.json + weights, no README: the task from the architecture.
TEST_F(IndexerTest, CardlessConfigGivesTransformersTask) {
  auto h = repo(alice_, "cardless");
  commit(h, {{"config.json", R"({"architectures":["LlamaForCausalLM"],"model_type":"llama"})"},
             {"tokenizer.json", "{}"}});
  auto r = row_of(h);
  EXPECT_EQ(r.pipeline_tag.value_or(""), "text-generation");
  EXPECT_EQ(r.library_name.value_or(""), "transformers");
  EXPECT_TRUE(has_tag(r, "transformers"));
  EXPECT_TRUE(has_tag(r, "text-generation"));
}

// The one-time re-index at start (migration 6 queued every indexed repo): a row the old rule
// wrote is rewritten by the current rule, and the queue empties.
TEST_F(IndexerTest, QueuedReindexRewritesStaleRows) {
  auto h = repo(alice_, "old-rule");
  commit(h, {{"config.json", R"({"architectures":["BertForSequenceClassification"],"model_type":"bert"})"}});
  storage::db::RepoIndexRow stale;  // what the old rule indexed: no library, no task
  stale.repo_id = h.row.id;
  stale.commit = row_of(h).commit;
  stale.seq = *hub_->db().ref_update_seq(h.row.id);  // of the same head (rows only move forward)
  ASSERT_TRUE(hub_->db().put_repo_index({stale}));
  EXPECT_FALSE(row_of(h).pipeline_tag);
  auto none = reindex_queued(*hub_);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0u) << "nothing queued: nothing re-indexed";
  ASSERT_TRUE(raw_sql("INSERT INTO reindex_queue(repo_id) SELECT repo_id FROM repo_index; "
                      "INSERT INTO reindex_queue(repo_id) VALUES (999999);"));
  auto done = reindex_queued(*hub_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, 2u) << "a queued id with no repo is dequeued too";
  auto r = row_of(h);
  EXPECT_EQ(r.pipeline_tag.value_or(""), "text-classification");
  EXPECT_EQ(r.library_name.value_or(""), "transformers");
  EXPECT_TRUE(hub_->db().reindex_queue(10)->empty());
}

TEST_F(IndexerTest, CardAndConfigGivePipelineLibraryAndTags) {
  auto h = repo(alice_, "bert-sst2");
  std::string id = commit(h, {{"README.md", "---\nlicense: mit\nlibrary_name: transformers\nlanguage: [en, fr]\n"
                                            "datasets: [sst2]\ntags: [sentiment]\n---\n# BERT SST-2\nClassifies movie reviews.\n"},
                              {"config.json", R"({"architectures":["BertForSequenceClassification"],"model_type":"bert"})"}});
  auto r = row_of(h);
  EXPECT_EQ(r.commit, id);
  EXPECT_EQ(r.pipeline_tag.value_or(""), "text-classification");
  EXPECT_EQ(r.library_name.value_or(""), "transformers");
  for (auto t : {"text-classification", "transformers", "en", "fr", "license:mit", "dataset:sst2", "sentiment"})
    EXPECT_TRUE(has_tag(r, t)) << t;
  EXPECT_EQ(json::parse(r.card_data)->as_object().at("license").as_string(), "mit");
  EXPECT_NE(r.search_text.find("movie reviews"), std::string::npos);
  EXPECT_EQ(errors_of(r).size(), 0u);
  // The card changes: the next index reflects it.
  commit(h, {{"README.md", "---\npipeline_tag: fill-mask\nlibrary_name: transformers\n---\n"}});
  r = row_of(h);
  EXPECT_EQ(r.pipeline_tag.value_or(""), "fill-mask");
  EXPECT_FALSE(has_tag(r, "license:mit"));
}

TEST_F(IndexerTest, OtherBranchesDoNotChangeTheIndex) {
  auto h = repo(alice_, "branches");
  std::string main_id = commit(h, {{"README.md", "---\npipeline_tag: fill-mask\n---\n"}});
  auto repo_ = storage::git::Repo::open(h.path);
  auto b = storage::git::CommitBuilder::start(*repo_, main_id);
  ASSERT_TRUE(b->put_file("README.md", "---\npipeline_tag: translation\n---\n"));
  storage::git::CommitOptions o;
  o.summary = "dev";
  o.author = {"t", "t@e", 0};
  auto dev = b->write(o);
  ASSERT_TRUE(dev);
  ASSERT_TRUE(repo_->create_branch("dev", *dev));
  on_refs_updated(*hub_, h, {{h.row.id, "refs/heads/dev", std::string(40, '0'), *dev, now_ms()}});
  auto r = row_of(h);
  EXPECT_EQ(r.commit, main_id);
  EXPECT_EQ(r.pipeline_tag.value_or(""), "fill-mask");
}

TEST_F(IndexerTest, MalformedYamlIsRecordedAndTheRestIndexed) {
  auto h = repo(alice_, "bad-yaml");
  commit(h, {{"README.md", "---\nlicense: [mit\ntags: {{{\n---\nbody text here\n"},
             {"config.json", R"({"architectures":["GPT2LMHeadModel"],"model_type":"gpt2"})"}});
  auto r = row_of(h);
  EXPECT_EQ(r.commit.size(), 40u);
  EXPECT_GE(errors_of(r).size(), 1u);
  EXPECT_NE(r.search_text.find("body text"), std::string::npos);
}

TEST_F(IndexerTest, YamlBombsAreBounded) {
  auto h = repo(alice_, "bombs");
  // Billion laughs: 9 levels of 9 aliases.
  std::string bomb = "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + char(c - 1);
    bomb += "]\n";
  }
  bomb += "license: mit\n---\n";
  commit(h, {{"README.md", bomb}});
  auto r = row_of(h);
  EXPECT_GE(errors_of(r).size(), 1u);
  EXPECT_LT(r.card_data.size(), 8u << 20);
  // Deep nesting.
  commit(h, {{"README.md", "---\nx: " + std::string(100000, '[') + std::string(100000, ']') + "\n---\n"}});
  EXPECT_GE(errors_of(row_of(h)).size(), 1u);
}

TEST_F(IndexerTest, HugeReadmeIsSkippedWithAnError) {
  auto h = repo(alice_, "huge");
  std::string readme = "---\nlicense: mit\n---\n" + std::string(10 << 20, 'x');
  commit(h, {{"README.md", readme}, {"config.json", "{}"}});
  auto r = row_of(h);
  bool found = false;
  for (auto& e : errors_of(r)) found = found || std::string(e.as_string()).find("README.md is larger") != std::string::npos;
  EXPECT_TRUE(found) << r.errors;
  EXPECT_LT(r.search_text.size(), 64u << 10);
}

TEST_F(IndexerTest, InvalidUtf8BecomesValidText) {
  auto h = repo(alice_, "utf8");
  commit(h, {{"README.md", "---\ntags: [\"ok\", \"bad\xff\xfe\"]\n---\nbody \xc3\x28 text\n"}});
  auto r = row_of(h);
  EXPECT_TRUE(json::parse(r.card_data));
  EXPECT_TRUE(json::parse(r.extra));
  for (unsigned char c : r.search_text) EXPECT_NE(c, 0xff);
}

TEST_F(IndexerTest, SafetensorsHeadersAreSummarizedAndLiesRecorded) {
  auto h = repo(alice_, "weights");
  std::string good = safetensors(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                                 R"("b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}})", 32);
  std::string huge_claim = safetensors("{}", 0, 100ull * 1000 * 1000 * 1000);
  std::string past_end = safetensors(R"({"a":{"dtype":"F32","shape":[1000],"data_offsets":[0,4000]}})", 16);
  commit(h, {{"model-00001.safetensors", good}, {"huge.safetensors", huge_claim}, {"past.safetensors", past_end}});
  auto r = row_of(h);
  auto extra = extra_of(r);
  ASSERT_TRUE(extra.contains("safetensors")) << r.extra;
  auto& st = extra.at("safetensors").as_object();
  EXPECT_EQ(st.at("total").as_int64(), 10);
  EXPECT_EQ(st.at("parameters").as_object().at("F32").as_int64(), 6);
  EXPECT_EQ(st.at("parameters").as_object().at("BF16").as_int64(), 4);
  std::string errs = r.errors;
  EXPECT_NE(errs.find("huge.safetensors"), std::string::npos) << errs;
  EXPECT_NE(errs.find("past.safetensors"), std::string::npos) << errs;
}

TEST_F(IndexerTest, SafetensorsInLfsAreReadFromTheBlobStore) {
  auto h = repo(alice_, "lfs-weights");
  std::string bytes = safetensors(R"({"w":{"dtype":"F16","shape":[8,8],"data_offsets":[0,128]}})", 128);
  std::string oid = sha256_hex(bytes);
  ASSERT_TRUE(lfs_put_object(*hub_, h.row.id, oid, bytes));  // uploaded through this repo
  // A pointer to an object claiming 100 GB that is not stored: an error, not a hang.
  std::string missing(64, 'a');
  commit(h, {}, {{"model.safetensors", {oid, bytes.size()}}, {"big.safetensors", {missing, 100ull << 30}}});
  auto r = row_of(h);
  auto extra = extra_of(r);
  ASSERT_TRUE(extra.contains("safetensors")) << r.extra;
  EXPECT_EQ(extra.at("safetensors").as_object().at("total").as_int64(), 64);
  EXPECT_NE(r.errors.find("big.safetensors"), std::string::npos) << r.errors;
}

TEST_F(IndexerTest, GgufHeaderIsRead) {
  std::string g = "GGUF";
  auto u32 = [&](uint32_t v) { g.append(reinterpret_cast<const char*>(&v), 4); };
  auto u64 = [&](uint64_t v) { g.append(reinterpret_cast<const char*>(&v), 8); };
  auto str = [&](const std::string& s) { u64(s.size()); g += s; };
  u32(3), u64(1), u64(2);
  str("general.architecture"), u32(8), str("llama");
  str("llama.context_length"), u32(4), u32(4096);
  str("tok_embd"), u32(2), u64(32), u64(16), u32(0), u64(0);
  auto h = repo(alice_, "gguf");
  commit(h, {{"model.gguf", g}, {"broken.gguf", "GGUF\x03\0\0\0"}});
  auto r = row_of(h);
  auto extra = extra_of(r);
  ASSERT_TRUE(extra.contains("gguf")) << r.extra << r.errors;
  EXPECT_EQ(extra.at("gguf").as_object().at("architecture").as_string(), "llama");
  EXPECT_EQ(extra.at("gguf").as_object().at("context_length").as_int64(), 4096);
  EXPECT_EQ(extra.at("gguf").as_object().at("total").as_int64(), 512);
}

TEST(WeightsInfo, LyingHeadersAreErrors) {
  auto reader = [](const std::string& bytes) {
    return [bytes](uint64_t off, uint64_t len) -> Result<std::string> {
      if (off >= bytes.size()) return std::string();
      return bytes.substr(off, len);
    };
  };
  std::string over = safetensors(R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}})", 16);
  EXPECT_FALSE(read_safetensors_info(reader(over), over.size()));
  std::string mismatch = safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8);
  EXPECT_FALSE(read_safetensors_info(reader(mismatch), mismatch.size()));
  std::string gguf_huge = std::string("GGUF\x03\0\0\0", 8) + le64(1) + le64(1) + le64(1ull << 62);
  EXPECT_FALSE(read_gguf_info(reader(gguf_huge), gguf_huge.size()));
}

}  // namespace
}  // namespace hub::services
