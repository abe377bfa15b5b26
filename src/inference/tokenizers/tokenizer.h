// Tokenizer: a tokenizer.json (Hugging Face tokenizers format) loaded into a pipeline of
// normalizer -> pre-tokenizer -> model -> post-processor, with a decoder for the way back.
// Immutable after load: encode/decode are const and safe to call from many threads.
// (Contract shared by the inference engine and the pipelines; implemented in this folder.)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hub::inference::tokenizers {

// One encoded sequence (or pair), as the Rust library's Encoding.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<std::string> tokens;
  // Byte offsets into the original input text, [begin, end). For a pair, offsets of
  // tokens of the second sequence are into the second text (as in the Rust library).
  std::vector<std::pair<size_t, size_t>> offsets;
  std::vector<int32_t> special_tokens_mask;
  std::vector<int32_t> attention_mask;
  // Which input sequence each token belongs to (0, 1), or -1 for added special tokens.
  std::vector<int32_t> sequence_ids;
  std::vector<Encoding> overflowing;
};

struct TruncationParams {
  size_t max_length = 512;
  size_t stride = 0;
  enum class Strategy { longest_first, only_first, only_second } strategy = Strategy::longest_first;
  enum class Direction { right, left } direction = Direction::right;
};

struct PaddingParams {
  enum class Strategy { batch_longest, fixed } strategy = Strategy::batch_longest;
  size_t fixed_length = 0;
  enum class Direction { right, left } direction = Direction::right;
  int32_t pad_id = 0;
  int32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
  size_t pad_to_multiple_of = 0;
};

class Tokenizer {
 public:
  static Result<Tokenizer> from_json(std::string_view json_text);
  static Result<Tokenizer> from_file(const std::string& path);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Invalid UTF-8 input is an error (invalid_argument), never a crash.
  Result<Encoding> encode(std::string_view text, bool add_special_tokens = true) const;
  Result<Encoding> encode_pair(std::string_view first, std::string_view second,
                               bool add_special_tokens = true) const;
  // Batch encode applies the padding configured in tokenizer.json (or set_padding).
  Result<std::vector<Encoding>> encode_batch(std::span<const std::string> texts,
                                             bool add_special_tokens = true) const;
  Result<std::string> decode(std::span<const int32_t> ids, bool skip_special_tokens = true) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(int32_t id) const;
  size_t vocab_size() const;  // including added tokens

  // Truncation and padding as stored in tokenizer.json; callers may override.
  const std::optional<TruncationParams>& truncation() const;
  const std::optional<PaddingParams>& padding() const;
  void set_truncation(std::optional<TruncationParams> t);
  void set_padding(std::optional<PaddingParams> p);

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::inference::tokenizers
