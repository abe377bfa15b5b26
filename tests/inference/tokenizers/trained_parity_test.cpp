// Self-contained parity: make_goldens.js trains WordPiece, byte-level BPE and Unigram
// tokenizers with the npm `tokenizers` package (Hugging Face's Rust engine) and records its
// encodings of a corpus with accents, CJK, emoji, numbers, whitespace runs, long words and
// special tokens. We load the saved tokenizer.json files and must match ids, tokens, byte
// offsets and decode exactly. Skips when node or the npm package is absent.
#include <unistd.h>
#include "inference/tokenizers/tokenizer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json.h"

namespace tok = hub::inference::tokenizers;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the generator once per test binary; returns the goldens folder or "" when it cannot.
const fs::path& goldens_dir(std::string& why) {
  static fs::path dir;
  static std::string reason;
  static bool done = false;
  if (!done) {
    done = true;
    const fs::path modules = fs::path(HUBD_SOURCE_DIR) / "tests" / "node_modules";
    if (!fs::exists(modules / "tokenizers" / "package.json")) {
      reason = "npm package `tokenizers` absent (run npm ci in tests/)";
    } else if (std::system("node --version > /dev/null 2>&1") != 0) {
      reason = "node absent";
    } else {
      // One folder per process: ctest runs each parameter as its own process, in parallel.
      std::string tag = std::to_string(::getpid());
      fs::path out = fs::path(HUBD_BINARY_DIR) / ("tokenizers_trained-" + tag);
      fs::remove_all(out);
      std::string cmd = "NODE_PATH='" + modules.string() + "' node '" + HUBD_SOURCE_DIR +
                        "/tests/inference/tokenizers/make_goldens.js' '" + out.string() + "' > '" +
                        (fs::path(HUBD_BINARY_DIR) / ("tokenizers_trained-" + tag + ".log")).string() + "' 2>&1";
      if (std::system(cmd.c_str()) != 0 || !fs::exists(out / "goldens.json")) {
        reason = "make_goldens.js failed, see tokenizers_trained.log";
      } else {
        dir = out;
      }
    }
  }
  why = reason;
  return dir;
}

class Trained : public ::testing::TestWithParam<std::string> {};

TEST_P(Trained, MatchesReferenceEngine) {
  std::string why;
  const fs::path& dir = goldens_dir(why);
  if (dir.empty()) {
    if (why.starts_with("make_goldens")) FAIL() << why;
    GTEST_SKIP() << why;
  }
  auto goldens = hub::json::parse(read_file(dir / "goldens.json"), 256);
  ASSERT_TRUE(goldens);
  const auto& g = goldens->at(GetParam()).as_object();
  auto tk = tok::Tokenizer::from_file((dir / std::string(g.at("file").as_string())).string());
  ASSERT_TRUE(tk) << tk.error().message;
  EXPECT_EQ(tk->vocab_size(), g.at("vocab_size").to_number<size_t>());
  size_t compared = 0;
  for (const auto& cv : g.at("cases").as_array()) {
    const auto& c = cv.as_object();
    const std::string text(c.at("text").as_string());
    const bool add = c.at("add_special_tokens").as_bool();
    auto got = tk->encode(text, add);
    ASSERT_TRUE(got) << got.error().message;
    std::vector<int32_t> ids;
    for (const auto& x : c.at("ids").as_array()) ids.push_back(static_cast<int32_t>(x.to_number<int64_t>()));
    std::vector<std::string> tokens;
    for (const auto& x : c.at("tokens").as_array()) tokens.emplace_back(x.as_string());
    std::vector<std::pair<size_t, size_t>> offsets;
    for (const auto& o : c.at("byte_offsets").as_array()) {
      offsets.emplace_back(o.as_array()[0].to_number<size_t>(), o.as_array()[1].to_number<size_t>());
    }
    const std::string where = GetParam() + " '" + text.substr(0, 40) + "' special=" + (add ? "1" : "0");
    EXPECT_EQ(got->ids, ids) << where;
    EXPECT_EQ(got->tokens, tokens) << where;
    EXPECT_EQ(got->offsets, offsets) << where;
    auto dec = tk->decode(ids, true);
    ASSERT_TRUE(dec);
    EXPECT_EQ(*dec, std::string(c.at("decoded").as_string())) << where;
    ++compared;
  }
  EXPECT_GT(compared, 50u);
}

INSTANTIATE_TEST_SUITE_P(Npm, Trained, ::testing::Values("wordpiece", "bpe", "unigram"));

}  // namespace
