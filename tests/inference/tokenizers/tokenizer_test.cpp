// Behaviour of Tokenizer on small hand-written tokenizer.json files: malformed files (missing
// fields, wrong types, bad regex, unknown types; plus a mutation sweep over every field),
// invalid UTF-8 input, random input (no crash, offsets on char boundaries), merges in both
// formats, truncation/padding, decode.
#include "inference/tokenizers/tokenizer.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "core/json.h"

namespace tok = hub::inference::tokenizers;

namespace {

const char* kWordPiece = R"({
  "added_tokens": [
    {"id": 0, "content": "[PAD]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
    {"id": 1, "content": "[UNK]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
    {"id": 2, "content": "[CLS]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
    {"id": 3, "content": "[SEP]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
    {"id": 4, "content": "[MASK]", "special": true, "normalized": false, "single_word": false, "lstrip": true, "rstrip": false}],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
             {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
  "truncation": null, "padding": null,
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "hello": 5, "world": 6, "!": 7, "un": 8,
              "##believ": 9, "##able": 10, "cafe": 11, "我": 12, ",": 13}}
})";

// Byte-level BPE over "ab", "abc" with merges in the array format (the string format is
// exercised by swapping them in the test).
const char* kBpe = R"({
  "added_tokens": [{"id": 7, "content": "<|end|>", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false}],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
  "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
  "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
  "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false,
    "vocab": {"a": 0, "b": 1, "c": 2, "Ġ": 3, "ab": 4, "abc": 5, "Ġa": 6},
    "merges": [["a", "b"], ["ab", "c"], ["Ġ", "a"]]}
})";

const char* kUnigram = R"({
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
  "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
  "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
  "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": false,
    "vocab": [["<unk>", 0.0], ["▁", -2.0], ["▁he", -3.0], ["llo", -3.0], ["▁hello", -4.0], ["h", -5.0], ["e", -5.0], ["l", -5.0], ["o", -5.0], ["fi", -4.5]]}
})";

tok::Tokenizer load(const char* json) {
  auto t = tok::Tokenizer::from_json(json);
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return std::move(*t);
}

TEST(Tokenizer, WordPieceEncodesWithOffsetsAndSpecialTokens) {
  auto t = load(kWordPiece);
  auto e = t.encode("Hello, WORLD! unbelievable 我 café");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"[CLS]", "hello", ",", "world", "!", "un", "##believ", "##able", "我",
                                                 "cafe", "[SEP]"}));
  EXPECT_EQ(e->offsets[1], (std::pair<size_t, size_t>{0, 5}));
  EXPECT_EQ(e->offsets[8], (std::pair<size_t, size_t>{27, 30}));   // 3-byte CJK character
  EXPECT_EQ(e->offsets[9], (std::pair<size_t, size_t>{31, 36}));   // "café": é is 2 bytes, accent stripped
  EXPECT_EQ(e->special_tokens_mask.front(), 1);
  EXPECT_EQ(e->sequence_ids.front(), -1);
  auto d = t.decode(e->ids);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "hello, world! unbelievable 我 cafe");
  EXPECT_EQ(t.token_to_id("world"), 6);
  EXPECT_EQ(t.id_to_token(9), "##believ");
  EXPECT_FALSE(t.id_to_token(999));
}

TEST(Tokenizer, AddedTokenLstripAndPairTypeIds) {
  auto t = load(kWordPiece);
  auto e = t.encode_pair("hello   [MASK]", "world", true);
  ASSERT_TRUE(e);
  // lstrip swallows the spaces: they belong to the token, text and offsets alike.
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"[CLS]", "hello", "   [MASK]", "[SEP]", "world", "[SEP]"}));
  EXPECT_EQ(e->offsets[2], (std::pair<size_t, size_t>{5, 14}));
  EXPECT_EQ(e->type_ids, (std::vector<int32_t>{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(e->sequence_ids, (std::vector<int32_t>{-1, 0, 0, -1, 1, -1}));
  EXPECT_EQ(e->offsets[4], (std::pair<size_t, size_t>{0, 5}));  // second text's own offsets
}

TEST(Tokenizer, UnknownWordAndLongWord) {
  auto t = load(kWordPiece);
  auto e = t.encode("xyz " + std::string(150, 'a'), false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"[UNK]", "[UNK]"}));
  EXPECT_EQ(e->offsets[1], (std::pair<size_t, size_t>{4, 154}));
}

TEST(Tokenizer, TruncationAndPadding) {
  auto t = load(kWordPiece);
  t.set_truncation(tok::TruncationParams{.max_length = 4, .stride = 1});
  auto e = t.encode("hello world hello world");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"[CLS]", "hello", "world", "[SEP]"}));
  ASSERT_EQ(e->overflowing.size(), 2u);  // windows of 2 with stride 1 over 4 tokens
  t.set_truncation(std::nullopt);
  tok::PaddingParams p;
  p.pad_to_multiple_of = 4;
  t.set_padding(p);
  std::vector<std::string> texts{"hello", "hello world hello world"};
  auto b = t.encode_batch(texts);
  ASSERT_TRUE(b);
  ASSERT_EQ((*b)[0].ids.size(), 8u);
  EXPECT_EQ((*b)[0].attention_mask, (std::vector<int32_t>{1, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ((*b)[0].tokens.back(), "[PAD]");
  EXPECT_EQ((*b)[1].ids.size(), 8u);
}

TEST(Tokenizer, ByteLevelBpeBothMergeFormats) {
  for (bool legacy : {false, true}) {
    std::string json = kBpe;
    if (legacy) {
      auto pos = json.find(R"([["a", "b"], ["ab", "c"], ["Ġ", "a"]])");
      ASSERT_NE(pos, std::string::npos);
      json.replace(pos, std::string(R"([["a", "b"], ["ab", "c"], ["Ġ", "a"]])").size(), R"(["a b", "ab c", "Ġ a"])");
    }
    auto t = tok::Tokenizer::from_json(json);
    ASSERT_TRUE(t) << t.error().message;
    auto e = t->encode("abc ab a<|end|>cab");
    ASSERT_TRUE(e);
    // " ab": "a b" (rank 0) wins over "Ġ a" (rank 2), leaving Ġ alone.
    EXPECT_EQ(e->tokens, (std::vector<std::string>{"abc", "Ġ", "ab", "Ġa", "<|end|>", "c", "ab"}));
    EXPECT_EQ(e->offsets[1], (std::pair<size_t, size_t>{3, 4}));
    EXPECT_EQ(e->offsets[4], (std::pair<size_t, size_t>{8, 15}));
    auto d = t->decode(e->ids, false);
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, "abc ab a<|end|>cab");
  }
}

TEST(Tokenizer, UnigramViterbiAndFusedUnknown) {
  auto t = load(kUnigram);
  auto e = t.encode("hello  ﬁ xyz", false);
  ASSERT_TRUE(e);
  // NFKC turns the ligature into "fi"; the two spaces collapse; x, y, z fuse into one unknown.
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"▁hello", "▁", "fi", "▁", "xyz"}));
  EXPECT_EQ(e->ids.back(), 0);
  EXPECT_EQ(e->offsets[2], (std::pair<size_t, size_t>{7, 10}));  // the 3-byte ligature
  auto d = t.decode(e->ids);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "hello fi <unk>");
}

TEST(Tokenizer, InvalidUtf8IsAnError) {
  auto t = load(kWordPiece);
  for (std::string bad : {std::string("\xff"), std::string("ab\xc3"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                          std::string("\xf4\x90\x80\x80"), std::string("ok \x80 ok")}) {
    auto e = t.encode(bad);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, hub::Errc::invalid_argument);
    EXPECT_FALSE(t.encode_pair("fine", bad));
    std::vector<std::string> batch{"fine", bad};
    EXPECT_FALSE(t.encode_batch(batch));
  }
}

TEST(Tokenizer, MalformedFilesAreClearErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "malformed JSON"},
      {"[]", "expected an object"},
      {"{}", "model: missing field"},
      {R"({"model": "x"})", "model: expected an object"},
      {R"({"model": {"type": "WordPiece", "vocab": []}})", "model.vocab: expected an object"},
      {R"({"model": {"type": "WordPiece", "vocab": {"a": "b"}}})", "not a valid integer"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}}})", "merges: missing field"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a z"]}})", "not in the vocabulary"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [7]}})", "expected \"a b\""},
      {R"({"model": {"type": "Unigram", "vocab": [["a"]]}})", "expected [string, number]"},
      {R"({"model": {"type": "Unigram", "unk_id": 5, "vocab": [["a", -1.0]]}})", "unk_id"},
      {R"({"model": {"type": "Nope", "vocab": {}}})", "unsupported type 'Nope'"},
      {R"({"model": {"vocab": {}}, "normalizer": {"type": "Fancy"}})", "normalizer: unsupported type"},
      {R"({"model": {"vocab": {}}, "normalizer": {"lowercase": true}})", "normalizer.type: missing field"},
      {R"({"model": {"vocab": {}}, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"}})",
       "bad regex"},
      {R"({"model": {"vocab": {}}, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways"}})",
       "unknown value 'Sideways'"},
      {R"({"model": {"vocab": {}}, "pre_tokenizer": {"type": "Metaspace", "replacement": "ab"}})", "one character"},
      {R"({"model": {"vocab": {}}, "normalizer": {"type": "Precompiled", "precompiled_charsmap": "!!!"}})", "base64"},
      {R"({"model": {"vocab": {}}, "normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAAA"}})", "too short"},
      {R"({"model": {"vocab": {}}, "normalizer": {"type": "Precompiled", "precompiled_charsmap": "AAEAAAAAAAA="}})", "trie size"},
      {R"({"model": {"vocab": {}}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[X]", "type_id": 0}}], "pair": [], "special_tokens": {}}})",
       "missing special token '[X]'"},
      {R"({"model": {"vocab": {}}, "added_tokens": [{"id": 1}]})", "content: missing field"},
      {R"({"model": {"vocab": {}}, "added_tokens": [{"id": 1, "content": 5}]})", "expected a string"},
      {R"({"model": {"vocab": {}}, "truncation": {"max_length": -3}})", "must not be negative"},
      {R"({"model": {"vocab": {}}, "padding": {"strategy": "Sometimes"}})", "padding.strategy"},
      {R"({"model": {"vocab": {}}, "decoder": {"type": "Strip", "content": " ", "start": -1, "stop": 0}})", "negative"},
      {std::string(200, '[') + std::string(200, ']'), "malformed JSON"},
  };
  for (const auto& [json, want] : cases) {
    auto t = tok::Tokenizer::from_json(json);
    ASSERT_FALSE(t) << json;
    EXPECT_EQ(t.error().code, hub::Errc::invalid_argument) << json;
    EXPECT_NE(t.error().message.find(want), std::string::npos) << json << " -> " << t.error().message;
  }
  EXPECT_EQ(tok::Tokenizer::from_file("/nonexistent/tokenizer.json").error().code, hub::Errc::not_found);
}

// Every node of a valid file is removed, or replaced by a value of each wrong type: loading
// must fail cleanly or give a tokenizer that encodes without crashing.
TEST(Tokenizer, MutationSweepNeverCrashes) {
  const std::vector<boost::json::value> replacements = {nullptr, 42, -1, "x", boost::json::array{}, boost::json::object{}, true};
  size_t loaded = 0, rejected = 0;
  for (const char* base : {kWordPiece, kBpe, kUnigram}) {
    auto doc = hub::json::parse(base);
    ASSERT_TRUE(doc);
    // Collect paths to every node.
    size_t n_nodes = 0;
    std::function<void(const boost::json::value&)> count = [&](const boost::json::value& v) {
      ++n_nodes;
      if (v.is_object())
        for (const auto& kv : v.get_object()) count(kv.value());
      if (v.is_array())
        for (const auto& x : v.get_array()) count(x);
    };
    count(*doc);
    for (size_t target = 1; target < n_nodes; ++target) {
      for (size_t r = 0; r <= replacements.size(); ++r) {
        boost::json::value copy = *doc;
        size_t idx = 0;
        std::function<bool(boost::json::value&)> mutate = [&](boost::json::value& v) -> bool {
          if (v.is_object()) {
            auto& o = v.get_object();
            for (auto it = o.begin(); it != o.end(); ++it) {
              if (++idx == target) {
                if (r == replacements.size()) o.erase(it);
                else it->value() = replacements[r];
                return true;
              }
              if (mutate(it->value())) return true;
            }
          } else if (v.is_array()) {
            auto& a = v.get_array();
            for (size_t i = 0; i < a.size(); ++i) {
              if (++idx == target) {
                if (r == replacements.size()) a.erase(a.begin() + static_cast<std::ptrdiff_t>(i));
                else a[i] = replacements[r];
                return true;
              }
              if (mutate(a[i])) return true;
            }
          }
          return false;
        };
        mutate(copy);
        auto t = tok::Tokenizer::from_json(hub::json::serialize(copy));
        if (!t) {
          ++rejected;
          EXPECT_FALSE(t.error().message.empty());
          continue;
        }
        ++loaded;
        for (const char* text : {"Hello, world! abc ab", "héllo  ﬁ 我 🤗", "", "[CLS] x<|end|>"}) {
          auto e = t->encode(text);
          if (e) {
            EXPECT_EQ(e->ids.size(), e->offsets.size());
            (void)t->decode(e->ids);
          }
        }
      }
    }
  }
  EXPECT_GT(loaded, 0u);
  EXPECT_GT(rejected, 0u);
}

// Random valid UTF-8 (all planes, combining marks, spaces, controls): every token's offsets
// are ordered, inside the input and on character boundaries.
TEST(Tokenizer, RandomInputOffsetsStayOnCharBoundaries) {
  std::mt19937 rng(7);
  const char32_t pools[][2] = {{0x20, 0x7E}, {0x00, 0x20}, {0xC0, 0x24F}, {0x300, 0x36F}, {0x4E00, 0x4E40},
                               {0x1F600, 0x1F64F}, {0xAC00, 0xAC40}, {0x2000, 0x206F}, {0xFB00, 0xFB06}};
  for (const char* json : {kWordPiece, kBpe, kUnigram}) {
    auto t = load(json);
    for (int iter = 0; iter < 300; ++iter) {
      std::string s;
      int n = static_cast<int>(rng() % 40);
      for (int k = 0; k < n; ++k) {
        const auto& p = pools[rng() % std::size(pools)];
        char32_t c = p[0] + static_cast<char32_t>(rng() % (p[1] - p[0] + 1));
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        // UTF-8 encode
        if (c < 0x80) s.push_back(static_cast<char>(c));
        else if (c < 0x800) { s.push_back(static_cast<char>(0xC0 | (c >> 6))); s.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
        else if (c < 0x10000) { s.push_back(static_cast<char>(0xE0 | (c >> 12))); s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F))); s.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
        else { s.push_back(static_cast<char>(0xF0 | (c >> 18))); s.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F))); s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F))); s.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
      }
      auto e = t.encode(s, false);
      ASSERT_TRUE(e) << e.error().message;
      size_t prev_start = 0;
      for (auto [b, en] : e->offsets) {
        ASSERT_LE(b, en);
        ASSERT_LE(en, s.size());
        ASSERT_GE(b, prev_start);
        prev_start = b;
        auto boundary = [&](size_t i) { return i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80; };
        ASSERT_TRUE(boundary(b) && boundary(en));
      }
    }
  }
}

}  // namespace
