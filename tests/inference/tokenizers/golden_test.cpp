// Parity with Hugging Face tokenizers (Rust core, npm "tokenizers" 0.23.2) on the real
// tokenizer.json files and goldens in shared/tokenizers (see its README.md). Offsets
// are compared as UTF-8 byte offsets (the goldens' "byte_offsets"), which is what
// Encoding::offsets holds. Skips when the shared folder is absent.
#include "inference/tokenizers/tokenizer.h"
#include "shared_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json.h"

namespace tok = hub::inference::tokenizers;
namespace fs = std::filesystem;

namespace {

const std::string kShared = (hub::testing::shared_dir() / "tokenizers").string();

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class T>
std::vector<T> ints(const boost::json::value& v) {
  std::vector<T> out;
  for (const auto& x : v.as_array()) out.push_back(x.is_null() ? T(-1) : static_cast<T>(x.to_number<int64_t>()));
  return out;
}

std::string show(const std::vector<std::string>& v) {
  std::string s = "[";
  for (const auto& x : v) s += "'" + x + "' ";
  return s + "]";
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesReferenceEngine) {
  const fs::path dir = fs::path(kShared) / GetParam();
  if (!fs::exists(dir / "golden.json")) GTEST_SKIP() << "shared tokenizer goldens absent: " << dir;
  auto tk = tok::Tokenizer::from_file((dir / "tokenizer.json").string());
  ASSERT_TRUE(tk) << tk.error().message;
  auto corpus = hub::json::parse(read_file(fs::path(kShared) / "corpus.json"));
  auto golden = hub::json::parse(read_file(dir / "golden.json"), 256);
  ASSERT_TRUE(corpus && golden);
  std::map<std::string, const boost::json::object*> cases;
  for (const auto& c : corpus->as_object().at("cases").as_array()) cases[std::string(c.at("id").as_string())] = &c.as_object();

  EXPECT_EQ(tk->vocab_size(), golden->at("vocab_size_with_added").to_number<size_t>());
  int failures = 0;
  size_t compared = 0;
  for (const auto& gc : golden->at("cases").as_array()) {
    const std::string id(gc.at("id").as_string());
    const auto& input = *cases.at(id);
    const std::string text(input.at("text").as_string());
    for (bool add_special : {true, false}) {
      const auto& want = gc.at(add_special ? "add_special_tokens" : "no_special_tokens").as_object();
      auto got = input.contains("pair") ? tk->encode_pair(text, std::string(input.at("pair").as_string()), add_special)
                                        : tk->encode(text, add_special);
      ASSERT_TRUE(got) << id << ": " << got.error().message;
      std::vector<std::string> want_tokens;
      for (const auto& t : want.at("tokens").as_array()) want_tokens.emplace_back(t.as_string());
      std::vector<std::pair<size_t, size_t>> want_offsets;
      for (const auto& o : want.at("byte_offsets").as_array()) {
        want_offsets.emplace_back(o.as_array()[0].to_number<size_t>(), o.as_array()[1].to_number<size_t>());
      }
      const std::string where = GetParam() + "/" + id + (add_special ? " (special)" : " (plain)");
      bool ok = true;
      auto check = [&](bool cond, const std::string& what) {
        if (!cond && ok && failures < 12) ADD_FAILURE() << where << ": " << what;
        ok = ok && cond;
      };
      check(got->ids == ints<int32_t>(want.at("ids")), "ids differ; got " + show(got->tokens) + " want " + show(want_tokens));
      check(got->tokens == want_tokens, "tokens differ; got " + show(got->tokens) + " want " + show(want_tokens));
      if (ok && got->offsets != want_offsets) {
        std::string msg = "offsets differ:";
        for (size_t i = 0; i < got->offsets.size() && i < want_offsets.size(); ++i) {
          if (got->offsets[i] != want_offsets[i]) {
            msg += " [" + std::to_string(i) + "] '" + got->tokens[i] + "' got " + std::to_string(got->offsets[i].first) +
                   "," + std::to_string(got->offsets[i].second) + " want " + std::to_string(want_offsets[i].first) + "," +
                   std::to_string(want_offsets[i].second);
            break;
          }
        }
        check(false, msg);
      }
      check(got->type_ids == ints<int32_t>(want.at("type_ids")), "type_ids differ");
      check(got->attention_mask == ints<int32_t>(want.at("attention_mask")), "attention_mask differs");
      check(got->special_tokens_mask == ints<int32_t>(want.at("special_tokens_mask")), "special_tokens_mask differs");
      check(got->sequence_ids == ints<int32_t>(want.at("sequence_ids")), "sequence_ids differ");
      check(got->overflowing.size() == want.at("overflowing").to_number<size_t>(), "overflowing count differs");
      for (bool skip : {true, false}) {
        const char* key = skip ? "decoded" : "decoded_keep_special";
        if (!want.contains(key)) continue;
        auto dec = tk->decode(want.at("ids").is_array() ? ints<int32_t>(want.at("ids")) : std::vector<int32_t>{}, skip);
        ASSERT_TRUE(dec) << dec.error().message;
        check(*dec == std::string(want.at(key).as_string()),
              std::string(key) + " differs: got '" + *dec + "' want '" + std::string(want.at(key).as_string()) + "'");
      }
      if (!ok) ++failures;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 2 * cases.size());
  EXPECT_EQ(failures, 0) << "cases that differ from the reference engine";
}

INSTANTIATE_TEST_SUITE_P(Shared, Golden,
                         ::testing::Values("bert-base-uncased", "all-minilm-l6-v2", "bert-base-chinese", "roberta-base",
                                           "gpt2", "phi-2", "clip-vit-base-patch32", "falcon-7b", "t5-small",
                                           "marian-nmt", "mistral-7b-v0.1", "phi-3-mini-4k-instruct"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

}  // namespace
