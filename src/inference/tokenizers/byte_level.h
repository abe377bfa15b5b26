// ByteLevel (GPT-2) helpers shared by the pre-tokenizer, post-processor and decoder: the
// byte <-> printable-character table, the GPT-2 split regex and offset trimming.
// Upstream: tokenizers/src/pre_tokenizers/byte_level.rs. Tables are built once; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "inference/tokenizers/normalized_string.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::tokenizers::byte_level {

// The character standing for byte b.
char32_t byte_to_char(uint8_t b);
// UTF-8 of byte_to_char(b).
const std::string& byte_to_utf8(uint8_t b);
// The byte a character stands for, if it is one of the 256.
std::optional<uint8_t> char_to_byte(char32_t c);
const Regex& gpt2_regex();
// Replaces every byte of the normalized text by its character (alignments kept).
void apply(NormalizedString& n);
// Trims the offsets of tokens that start/end with an encoded space (RobertaProcessing and
// the ByteLevel post-processor with trim_offsets).
void process_offsets(Encoding& e, bool add_prefix_space);

}  // namespace hub::inference::tokenizers::byte_level
