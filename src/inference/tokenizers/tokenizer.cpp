// Tokenizer: loads tokenizer.json and runs added tokens -> normalizer -> pre-tokenizer ->
// model -> truncation -> post-processor -> padding. Upstream: tokenizers/src/tokenizer/mod.rs.
#include "inference/tokenizers/tokenizer.h"

#include <fstream>
#include <sstream>

#include "inference/tokenizers/added_vocabulary.h"
#include "inference/tokenizers/components.h"

namespace hub::inference::tokenizers {

struct Tokenizer::Impl {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  AddedVocabulary added;
  std::optional<TruncationParams> truncation;
  std::optional<PaddingParams> padding;

  Encoding encode_single(std::string_view text, int32_t type_id) const;
  Encoding post_process(Encoding a, std::optional<Encoding> b, bool add_special) const;
};

namespace {

std::optional<TruncationParams> parse_truncation(const json::value* v) {
  if (!v || v->is_null()) return std::nullopt;
  const char* what = "truncation";
  const auto& o = load::as_object(*v, what);
  TruncationParams t;
  auto max_length = load::get_int(o, "max_length", what);
  auto stride = load::opt_int(o, "stride", what).value_or(0);
  if (max_length < 0 || stride < 0) throw LoadError("truncation: max_length/stride must not be negative");
  t.max_length = static_cast<size_t>(max_length);
  t.stride = static_cast<size_t>(stride);
  auto strategy = load::opt_string(o, "strategy", what).value_or("LongestFirst");
  if (strategy == "LongestFirst") t.strategy = TruncationParams::Strategy::longest_first;
  else if (strategy == "OnlyFirst") t.strategy = TruncationParams::Strategy::only_first;
  else if (strategy == "OnlySecond") t.strategy = TruncationParams::Strategy::only_second;
  else throw LoadError("truncation.strategy: unknown value '" + strategy + "'");
  auto dir = load::opt_string(o, "direction", what).value_or("Right");
  if (dir != "Right" && dir != "Left") throw LoadError("truncation.direction: unknown value '" + dir + "'");
  t.direction = dir == "Left" ? TruncationParams::Direction::left : TruncationParams::Direction::right;
  return t;
}

std::optional<PaddingParams> parse_padding(const json::value* v) {
  if (!v || v->is_null()) return std::nullopt;
  const char* what = "padding";
  const auto& o = load::as_object(*v, what);
  PaddingParams p;
  const auto& s = load::field(o, "strategy", what);
  if (s.is_string() && s.get_string() == "BatchLongest") {
    p.strategy = PaddingParams::Strategy::batch_longest;
  } else if (s.is_object() && s.get_object().if_contains("Fixed")) {
    auto n = load::get_int(s.get_object(), "Fixed", "padding.strategy");
    if (n < 0) throw LoadError("padding.strategy.Fixed: must not be negative");
    p.strategy = PaddingParams::Strategy::fixed;
    p.fixed_length = static_cast<size_t>(n);
  } else {
    throw LoadError("padding.strategy: expected \"BatchLongest\" or {\"Fixed\": n}");
  }
  auto dir = load::opt_string(o, "direction", what).value_or("Right");
  p.direction = dir == "Left" ? PaddingParams::Direction::left : PaddingParams::Direction::right;
  p.pad_to_multiple_of = static_cast<size_t>(std::max<int64_t>(0, load::opt_int(o, "pad_to_multiple_of", what).value_or(0)));
  p.pad_id = static_cast<int32_t>(load::opt_int(o, "pad_id", what).value_or(0));
  p.pad_type_id = static_cast<int32_t>(load::opt_int(o, "pad_type_id", what).value_or(0));
  p.pad_token = load::opt_string(o, "pad_token", what).value_or("[PAD]");
  return p;
}

void truncate_encodings(Encoding& a, std::optional<Encoding>& b, const TruncationParams& p, size_t max_length) {
  using S = TruncationParams::Strategy;
  if (max_length == 0) {
    encoding_truncate(a, 0, p.stride, p.direction);
    if (b) encoding_truncate(*b, 0, p.stride, p.direction);
    return;
  }
  const size_t total = a.ids.size() + (b ? b->ids.size() : 0);
  if (total <= max_length) return;
  const size_t to_remove = total - max_length;
  if (p.strategy == S::longest_first) {
    if (!b) {
      encoding_truncate(a, max_length, p.stride, p.direction);
      return;
    }
    size_t n1 = a.ids.size(), n2 = b->ids.size();
    bool swap = n1 > n2;
    if (swap) std::swap(n1, n2);
    if (n1 > max_length) {
      n2 = n1;
    } else {
      n2 = std::max(n1, max_length - n1);
    }
    if (n1 + n2 > max_length) {
      n1 = max_length / 2;
      n2 = n1 + max_length % 2;
    }
    if (swap) std::swap(n1, n2);
    encoding_truncate(a, n1, p.stride, p.direction);
    encoding_truncate(*b, n2, p.stride, p.direction);
    return;
  }
  Encoding* target = p.strategy == S::only_first ? &a : (b ? &*b : nullptr);
  if (!target) throw std::invalid_argument("truncation OnlySecond needs a second sequence");
  if (target->ids.size() <= to_remove) throw std::invalid_argument("sequence too short to truncate as asked");
  encoding_truncate(*target, target->ids.size() - to_remove, p.stride, p.direction);
}

}  // namespace

Encoding Tokenizer::Impl::encode_single(std::string_view text, int32_t type_id) const {
  PreTokenizedString pts = added.extract_and_normalize(text, normalizer.get());
  if (pre_tokenizer) pre_tokenizer->pre_tokenize(pts);

  // With truncation on, stop tokenizing once enough tokens exist (as the Rust library does;
  // it changes only what lands in `overflowing`).
  std::optional<size_t> limit;
  bool left = false;
  if (truncation && !(truncation->strategy == TruncationParams::Strategy::only_second && type_id == 0)) {
    limit = truncation->max_length;
    left = truncation->direction == TruncationParams::Direction::left;
  }
  std::vector<Token> scratch;
  size_t total = 0;
  if (limit && left) {
    size_t first = pts.splits.size();
    for (size_t i = pts.splits.size(); i-- > 0;) {
      auto& sp = pts.splits[i];
      first = i;
      if (!sp.tokens) {
        scratch.clear();
        model->tokenize(sp.normalized.get(), scratch);
        sp.tokens = std::move(scratch);
        total += sp.tokens->size();
        if (total >= *limit) break;
      } else {
        total += sp.tokens->size();
      }
    }
    pts.splits.erase(pts.splits.begin(), pts.splits.begin() + static_cast<std::ptrdiff_t>(first));
  } else {
    size_t last = 0;
    for (size_t i = 0; i < pts.splits.size(); ++i) {
      auto& sp = pts.splits[i];
      last = i + 1;
      if (!sp.tokens) {
        scratch.clear();
        model->tokenize(sp.normalized.get(), scratch);
        sp.tokens = std::move(scratch);
        total += sp.tokens->size();
        if (limit && total >= *limit) break;
      } else {
        total += sp.tokens->size();
      }
    }
    pts.splits.resize(last);
  }

  Encoding e;
  e.ids.reserve(total);
  e.tokens.reserve(total);
  e.offsets.reserve(total);
  for (auto& sp : pts.splits) {
    const auto base = sp.normalized.offsets_original().first;
    for (auto& t : *sp.tokens) {
      std::pair<size_t, size_t> off{t.start, t.end};
      if (auto r = sp.normalized.convert_normalized({t.start, t.end})) off = {base + r->first, base + r->second};
      e.ids.push_back(t.id);
      e.tokens.push_back(std::move(t.value));
      e.offsets.push_back(off);
    }
  }
  const size_t n = e.ids.size();
  e.type_ids.assign(n, type_id);
  e.special_tokens_mask.assign(n, 0);
  e.attention_mask.assign(n, 1);
  e.sequence_ids.assign(n, 0);
  return e;
}

Encoding Tokenizer::Impl::post_process(Encoding a, std::optional<Encoding> b, bool add_special) const {
  if (truncation) {
    size_t n_added = post_processor ? post_processor->added_tokens(b.has_value()) : 0;
    size_t max_length = truncation->max_length;
    if (add_special && n_added > 0) {
      if (n_added > max_length) throw std::invalid_argument("truncation max_length is shorter than the special tokens");
      max_length -= n_added;
    }
    truncate_encodings(a, b, *truncation, max_length);
  }
  Encoding out;
  if (post_processor) {
    std::vector<Encoding> encs;
    encs.push_back(std::move(a));
    if (b) encs.push_back(std::move(*b));
    for (size_t i = 0; i < encs.size(); ++i) {
      encoding_set_sequence_id(encs[i], static_cast<int32_t>(i));
      for (auto& o : encs[i].overflowing) encoding_set_sequence_id(o, static_cast<int32_t>(i));
      std::fill(encs[i].type_ids.begin(), encs[i].type_ids.end(), static_cast<int32_t>(i));
    }
    out = encoding_merge(post_processor->process(std::move(encs), add_special));
  } else if (b) {
    encoding_set_sequence_id(*b, 1);
    std::vector<Encoding> encs;
    encs.push_back(std::move(a));
    encs.push_back(std::move(*b));
    out = encoding_merge(std::move(encs));
  } else {
    out = std::move(a);
  }
  if (padding) {
    size_t target = padding->strategy == PaddingParams::Strategy::fixed ? padding->fixed_length : out.ids.size();
    if (padding->pad_to_multiple_of > 0 && target % padding->pad_to_multiple_of != 0) {
      target += padding->pad_to_multiple_of - target % padding->pad_to_multiple_of;
    }
    encoding_pad(out, target, *padding);
  }
  return out;
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Result<Tokenizer> Tokenizer::from_json(std::string_view json_text) {
  auto doc = json::parse(json_text, 128);
  if (!doc) return fail(Errc::invalid_argument, "tokenizer.json: " + doc.error().message);
  try {
    const auto& root = load::as_object(*doc, "tokenizer.json");
    auto impl = std::make_unique<Impl>();
    impl->model = make_model(load::field(root, "model", "tokenizer.json"));
    auto present = [&](const char* key) -> const json::value* {
      auto* v = root.if_contains(key);
      return v && !v->is_null() ? v : nullptr;
    };
    if (auto* v = present("normalizer")) impl->normalizer = make_normalizer(*v);
    if (auto* v = present("pre_tokenizer")) impl->pre_tokenizer = make_pre_tokenizer(*v);
    if (auto* v = present("post_processor")) impl->post_processor = make_post_processor(*v);
    if (auto* v = present("decoder")) impl->decoder = make_decoder(*v);
    impl->truncation = parse_truncation(root.if_contains("truncation"));
    impl->padding = parse_padding(root.if_contains("padding"));
    if (auto* v = present("added_tokens")) {
      if (!v->is_array()) throw LoadError("added_tokens: expected an array");
      std::vector<AddedToken> tokens;
      for (const auto& t : v->get_array()) {
        const char* what = "added_tokens[]";
        const auto& o = load::as_object(t, what);
        AddedToken a;
        a.id = static_cast<int32_t>(load::get_int(o, "id", what));
        a.content = load::get_string(o, "content", what);
        if (!unicode::is_valid_utf8(a.content)) throw LoadError("added_tokens[].content: not valid UTF-8");
        a.special = load::get_bool(o, "special", false, what);
        a.single_word = load::get_bool(o, "single_word", false, what);
        a.lstrip = load::get_bool(o, "lstrip", false, what);
        a.rstrip = load::get_bool(o, "rstrip", false, what);
        a.normalized = load::get_bool(o, "normalized", !a.special, what);
        tokens.push_back(std::move(a));
      }
      impl->added.add_tokens(tokens, *impl->model, impl->normalizer.get());
    }
    return Tokenizer(std::move(impl));
  } catch (const LoadError& e) {
    return fail(Errc::invalid_argument, std::string("tokenizer.json: ") + e.what());
  } catch (const std::exception& e) {
    return fail(Errc::invalid_argument, std::string("tokenizer.json: ") + e.what());
  }
}

Result<Tokenizer> Tokenizer::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::not_found, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in.good() && !in.eof()) return fail(Errc::io, "cannot read " + path);
  return from_json(ss.str());
}

Result<Encoding> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  if (!unicode::is_valid_utf8(text)) return fail(Errc::invalid_argument, "input is not valid UTF-8");
  try {
    return impl_->post_process(impl_->encode_single(text, 0), std::nullopt, add_special_tokens);
  } catch (const std::exception& e) {
    return fail(Errc::invalid_argument, std::string("encode: ") + e.what());
  }
}

Result<Encoding> Tokenizer::encode_pair(std::string_view first, std::string_view second, bool add_special_tokens) const {
  if (!unicode::is_valid_utf8(first) || !unicode::is_valid_utf8(second)) {
    return fail(Errc::invalid_argument, "input is not valid UTF-8");
  }
  try {
    return impl_->post_process(impl_->encode_single(first, 0), impl_->encode_single(second, 1), add_special_tokens);
  } catch (const std::exception& e) {
    return fail(Errc::invalid_argument, std::string("encode: ") + e.what());
  }
}

Result<std::vector<Encoding>> Tokenizer::encode_batch(std::span<const std::string> texts, bool add_special_tokens) const {
  std::vector<Encoding> out;
  out.reserve(texts.size());
  for (const auto& t : texts) {
    auto e = encode(t, add_special_tokens);
    if (!e) return std::unexpected(std::move(e.error()));
    out.push_back(std::move(*e));
  }
  if (impl_->padding && impl_->padding->strategy == PaddingParams::Strategy::batch_longest) {
    size_t target = 0;
    for (const auto& e : out) target = std::max(target, e.ids.size());
    if (impl_->padding->pad_to_multiple_of > 0 && target % impl_->padding->pad_to_multiple_of != 0) {
      target += impl_->padding->pad_to_multiple_of - target % impl_->padding->pad_to_multiple_of;
    }
    for (auto& e : out) encoding_pad(e, target, *impl_->padding);
  }
  return out;
}

Result<std::string> Tokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    std::optional<std::string> tok;
    if (const std::string* s = impl_->added.id_to_token(id)) {
      tok = *s;
    } else {
      tok = impl_->model->id_to_token(id);
    }
    if (!tok) continue;
    if (skip_special_tokens && impl_->added.is_special(*tok)) continue;
    tokens.push_back(std::move(*tok));
  }
  try {
    if (!impl_->decoder) {
      std::string out;
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (i) out += ' ';
        out += tokens[i];
      }
      return out;
    }
    std::string out;
    for (auto& t : impl_->decoder->decode_chain(std::move(tokens))) out += t;
    return out;
  } catch (const std::exception& e) {
    return fail(Errc::invalid_argument, std::string("decode: ") + e.what());
  }
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  if (auto id = impl_->added.token_to_id(token)) return id;
  return impl_->model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int32_t id) const {
  if (const std::string* s = impl_->added.id_to_token(id)) return *s;
  return impl_->model->id_to_token(id);
}

size_t Tokenizer::vocab_size() const {
  // Added tokens outside the model's vocabulary extend it (Rust get_vocab_size(true)).
  return impl_->model->vocab_size() + impl_->added.count_outside(*impl_->model);
}

const std::optional<TruncationParams>& Tokenizer::truncation() const { return impl_->truncation; }
const std::optional<PaddingParams>& Tokenizer::padding() const { return impl_->padding; }
void Tokenizer::set_truncation(std::optional<TruncationParams> t) { impl_->truncation = std::move(t); }
void Tokenizer::set_padding(std::optional<PaddingParams> p) { impl_->padding = std::move(p); }

}  // namespace hub::inference::tokenizers
