// Fuzz target: inference/tokenizers, tokenizer.json loading (normalizers, pre-tokenizers,
// BPE / WordPiece / Unigram models, added tokens, post-processors, decoders) and, when it
// loads, encoding and decoding with it. Input: the tokenizer.json, optionally followed by a
// NUL byte and the text to encode (a default text otherwise); decode gets the ids encode
// produced and ids taken from the text's bytes, valid or not.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "inference/tokenizers/tokenizer.h"

using namespace hub::inference::tokenizers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view json = in.substr(0, nul);
  std::string_view text = nul == std::string_view::npos ? std::string_view("Hello, wörld! 123 <mask> [SEP] ab  c")
                                                         : in.substr(nul + 1);
  auto tok = Tokenizer::from_json(json);
  if (!tok) return 0;
  (void)tok->vocab_size();
  if (auto e = tok->encode(text)) {
    if (e->ids.size() != e->tokens.size() || e->ids.size() != e->offsets.size()) __builtin_trap();
    for (auto [b, end] : e->offsets)
      if (b > end || end > text.size()) __builtin_trap();
    (void)tok->decode(e->ids, true);
    (void)tok->decode(e->ids, false);
  }
  size_t half = text.size() / 2;
  (void)tok->encode_pair(text.substr(0, half), text.substr(half));
  std::vector<std::string> batch{std::string(text.substr(0, half)), std::string(text)};
  (void)tok->encode_batch(batch);
  std::vector<int32_t> ids;
  for (size_t i = 0; i + 4 <= text.size() && ids.size() < 64; i += 4) {
    int32_t id;
    std::memcpy(&id, text.data() + i, 4);
    ids.push_back(id);
  }
  (void)tok->decode(ids, false);
  for (int32_t id : ids)
    if (auto t = tok->id_to_token(id)) (void)tok->token_to_id(*t);
  return 0;
}
