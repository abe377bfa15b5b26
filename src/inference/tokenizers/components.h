// The pipeline stages of a tokenizer.json, as small interfaces with one factory each:
// Normalizer, PreTokenizer, Model, PostProcessor, Decoder. Factories read the JSON node of
// that stage and throw LoadError on anything malformed (Tokenizer::from_json catches it and
// returns invalid_argument). All stages are immutable after construction and thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "inference/tokenizers/normalized_string.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::tokenizers {

struct LoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Typed JSON access that throws LoadError naming the missing/mistyped field.
namespace load {
const json::object& as_object(const json::value& v, std::string_view what);
const json::value& field(const json::object& o, std::string_view key, std::string_view what);
std::string get_string(const json::object& o, std::string_view key, std::string_view what);
std::optional<std::string> opt_string(const json::object& o, std::string_view key, std::string_view what);
bool get_bool(const json::object& o, std::string_view key, bool fallback, std::string_view what);
int64_t get_int(const json::object& o, std::string_view key, std::string_view what);
std::optional<int64_t> opt_int(const json::object& o, std::string_view key, std::string_view what);
std::string type_of(const json::object& o, std::string_view what);
SplitBehavior behavior(const json::object& o, std::string_view what);
// {"String": "..."} or {"Regex": "..."} compiled to a Regex (strings are escaped).
Regex pattern(const json::object& o, std::string_view what);
// A string that must hold exactly one character (Metaspace replacement, delimiters, ...).
char32_t single_char(const std::string& s, std::string_view what);
}  // namespace load

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};
std::unique_ptr<Normalizer> make_normalizer(const json::value& v);

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json::value& v);

class Model {
 public:
  virtual ~Model() = default;
  // Tokens of one pre-tokenized word; offsets are byte offsets within `word`.
  virtual void tokenize(std::string_view word, std::vector<Token>& out) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
};
std::unique_ptr<Model> make_model(const json::value& v);

// A post-processor adds special tokens around one or two encodings (and may trim offsets).
class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual size_t added_tokens(bool is_pair) const = 0;
  // encodings has 1 or 2 elements; returns the processed encodings (not yet merged).
  virtual std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const = 0;
};
std::unique_ptr<PostProcessor> make_post_processor(const json::value& v);

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};
std::unique_ptr<Decoder> make_decoder(const json::value& v);

// Encoding helpers shared by post-processors and the tokenizer (encoding_ops.cpp).
void encoding_set_sequence_id(Encoding& e, int32_t id);
void encoding_truncate(Encoding& e, size_t max_len, size_t stride, TruncationParams::Direction dir);
Encoding encoding_merge(std::vector<Encoding> encodings);
void encoding_pad(Encoding& e, size_t target, const PaddingParams& p);

}  // namespace hub::inference::tokenizers
