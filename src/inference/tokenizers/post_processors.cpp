// Post-processors of tokenizer.json (TemplateProcessing, BertProcessing, RobertaProcessing,
// ByteLevel, Sequence) and the Encoding operations they share: truncate (with stride and
// overflowing), merge, pad. Upstream: tokenizers/src/processors/, tokenizer/encoding.rs.
#include "inference/tokenizers/byte_level.h"
#include "inference/tokenizers/components.h"

namespace hub::inference::tokenizers {

void encoding_set_sequence_id(Encoding& e, int32_t id) {
  std::fill(e.sequence_ids.begin(), e.sequence_ids.end(), id);
}

namespace {

Encoding slice_encoding(const Encoding& e, size_t start, size_t stop) {
  Encoding out;
  auto cut = [&](const auto& v, auto& dst) { dst.assign(v.begin() + static_cast<std::ptrdiff_t>(start), v.begin() + static_cast<std::ptrdiff_t>(stop)); };
  cut(e.ids, out.ids);
  cut(e.type_ids, out.type_ids);
  cut(e.tokens, out.tokens);
  cut(e.offsets, out.offsets);
  cut(e.special_tokens_mask, out.special_tokens_mask);
  cut(e.attention_mask, out.attention_mask);
  cut(e.sequence_ids, out.sequence_ids);
  return out;
}

void append(Encoding& dst, const Encoding& src) {
  auto cat = [](auto& d, const auto& s) { d.insert(d.end(), s.begin(), s.end()); };
  cat(dst.ids, src.ids);
  cat(dst.type_ids, src.type_ids);
  cat(dst.tokens, src.tokens);
  cat(dst.offsets, src.offsets);
  cat(dst.special_tokens_mask, src.special_tokens_mask);
  cat(dst.attention_mask, src.attention_mask);
  cat(dst.sequence_ids, src.sequence_ids);
}

// Encoding::merge_with of the Rust library: overflowing parts combine with the other side.
void merge_with(Encoding& self, Encoding pair) {
  std::vector<Encoding> overflowings;
  for (const auto& so : self.overflowing) {
    Encoding n = so;
    Encoding p = pair;
    merge_with(n, std::move(p));
    overflowings.push_back(std::move(n));
    for (const auto& po : pair.overflowing) {
      Encoding m = so;
      merge_with(m, po);
      overflowings.push_back(std::move(m));
    }
  }
  for (const auto& po : pair.overflowing) {
    Encoding n = self;
    n.overflowing.clear();
    merge_with(n, po);
    overflowings.push_back(std::move(n));
  }
  append(self, pair);
  self.overflowing = std::move(overflowings);
}

}  // namespace

void encoding_truncate(Encoding& e, size_t max_len, size_t stride, TruncationParams::Direction dir) {
  const size_t n = e.ids.size();
  if (max_len >= n) return;
  if (max_len == 0) {
    Encoding whole = std::move(e);
    e = Encoding{};
    e.overflowing.push_back(std::move(whole));
    return;
  }
  if (stride >= max_len) stride = max_len - 1;  // the Rust library asserts here
  const size_t step = max_len - stride;
  std::vector<std::pair<size_t, size_t>> parts;
  if (dir == TruncationParams::Direction::right) {
    for (size_t start = 0; start < n; start += step) {
      size_t stop = std::min(start + max_len, n);
      parts.emplace_back(start, stop);
      if (stop == n) break;
    }
  } else {
    for (size_t k = 0; k < n; k += step) {
      size_t stop = n - k;
      size_t start = stop > max_len ? stop - max_len : 0;
      parts.emplace_back(start, stop);
      if (start == 0) break;
    }
  }
  Encoding out = slice_encoding(e, parts[0].first, parts[0].second);
  for (size_t i = 1; i < parts.size(); ++i) out.overflowing.push_back(slice_encoding(e, parts[i].first, parts[i].second));
  e = std::move(out);
}

Encoding encoding_merge(std::vector<Encoding> encodings) {
  Encoding out;
  for (auto& e : encodings) merge_with(out, std::move(e));
  return out;
}

void encoding_pad(Encoding& e, size_t target, const PaddingParams& p) {
  for (auto& o : e.overflowing) encoding_pad(o, target, p);
  if (e.ids.size() >= target) return;
  const size_t n = target - e.ids.size();
  auto pad = [&](auto& v, auto value) {
    if (p.direction == PaddingParams::Direction::left) {
      v.insert(v.begin(), n, value);
    } else {
      v.insert(v.end(), n, value);
    }
  };
  pad(e.ids, p.pad_id);
  pad(e.type_ids, p.pad_type_id);
  pad(e.tokens, p.pad_token);
  pad(e.offsets, std::pair<size_t, size_t>{0, 0});
  pad(e.special_tokens_mask, int32_t{1});
  pad(e.attention_mask, int32_t{0});
  pad(e.sequence_ids, int32_t{-1});
}

namespace {

Encoding special_encoding(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens, int32_t type_id) {
  Encoding e;
  e.ids = ids;
  e.tokens = tokens;
  e.type_ids.assign(ids.size(), type_id);
  e.offsets.assign(ids.size(), {0, 0});
  e.special_tokens_mask.assign(ids.size(), 1);
  e.attention_mask.assign(ids.size(), 1);
  e.sequence_ids.assign(ids.size(), -1);
  return e;
}

struct TemplatePiece {
  bool is_sequence;
  int which;  // 0 = A, 1 = B (sequence pieces)
  std::string special;
  int32_t type_id;
};

class TemplateProcessing final : public PostProcessor {
 public:
  struct SpecialToken {
    std::vector<int32_t> ids;
    std::vector<std::string> tokens;
  };
  TemplateProcessing(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                     std::unordered_map<std::string, SpecialToken> specials)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {}

  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : is_pair ? pair_ : single_) {
      if (!p.is_sequence) n += specials_.at(p.special).ids.size();
    }
    return n;
  }

  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    const auto& tmpl = encodings.size() == 2 ? pair_ : single_;
    std::vector<Encoding> out;
    for (const auto& p : tmpl) {
      if (p.is_sequence) {
        auto i = static_cast<size_t>(p.which);
        if (i >= encodings.size()) continue;
        Encoding& e = encodings[i];
        std::fill(e.type_ids.begin(), e.type_ids.end(), p.type_id);
        encoding_set_sequence_id(e, static_cast<int32_t>(i));
        out.push_back(e);
      } else if (add_special_tokens) {
        const auto& sp = specials_.at(p.special);
        out.push_back(special_encoding(sp.ids, sp.tokens, p.type_id));
      }
    }
    return out;
  }

 private:
  std::vector<TemplatePiece> single_, pair_;
  std::unordered_map<std::string, SpecialToken> specials_;
};

// BertProcessing and RobertaProcessing: [CLS] A [SEP] (+ [SEP]? B [SEP]).
class ClsSepProcessing final : public PostProcessor {
 public:
  ClsSepProcessing(std::string cls, int32_t cls_id, std::string sep, int32_t sep_id, bool roberta, bool trim_offsets,
                   bool add_prefix_space)
      : cls_(std::move(cls)), sep_(std::move(sep)), cls_id_(cls_id), sep_id_(sep_id), roberta_(roberta),
        trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}

  size_t added_tokens(bool is_pair) const override { return is_pair ? (roberta_ ? 4 : 3) : 2; }

  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    if (roberta_) {
      if (trim_offsets_) {
        for (auto& e : encodings) {
          byte_level::process_offsets(e, add_prefix_space_);
          for (auto& o : e.overflowing) byte_level::process_offsets(o, add_prefix_space_);
        }
      }
      for (auto& e : encodings) std::fill(e.type_ids.begin(), e.type_ids.end(), 0);
    }
    if (!add_special_tokens) return encodings;
    std::vector<Encoding> out;
    for (size_t i = 0; i < encodings.size(); ++i) {
      const int32_t type_id = roberta_ ? 0 : static_cast<int32_t>(i);
      auto wrap = [&](Encoding& e) {
        Encoding r;
        bool first_sep = i > 0 && roberta_;
        bool add_open = i == 0 || roberta_;
        if (add_open) {
          append_one(r, first_sep ? sep_id_ : cls_id_, first_sep ? sep_ : cls_, type_id);
        }
        Encoding body = e;
        body.overflowing.clear();
        std::fill(body.type_ids.begin(), body.type_ids.end(), type_id);
        encoding_set_sequence_id(body, static_cast<int32_t>(i));
        merge_with(r, std::move(body));
        append_one(r, sep_id_, sep_, type_id);
        return r;
      };
      Encoding r = wrap(encodings[i]);
      for (auto& o : encodings[i].overflowing) r.overflowing.push_back(wrap(o));
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  static void append_one(Encoding& r, int32_t id, const std::string& tok, int32_t type_id) {
    append(r, special_encoding({id}, {tok}, type_id));
  }
  std::string cls_, sep_;
  int32_t cls_id_, sep_id_;
  bool roberta_, trim_offsets_, add_prefix_space_;
};

class ByteLevelProcessing final : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim_offsets, bool add_prefix_space)
      : trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  std::vector<Encoding> process(std::vector<Encoding> encodings, bool) const override {
    if (trim_offsets_) {
      for (auto& e : encodings) {
        byte_level::process_offsets(e, add_prefix_space_);
        for (auto& o : e.overflowing) byte_level::process_offsets(o, add_prefix_space_);
      }
    }
    for (size_t i = 0; i < encodings.size(); ++i) encoding_set_sequence_id(encodings[i], static_cast<int32_t>(i));
    return encodings;
  }

 private:
  bool trim_offsets_, add_prefix_space_;
};

class SequenceProcessing final : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> items) : items_(std::move(items)) {}
  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : items_) n += p->added_tokens(is_pair);
    return n;
  }
  std::vector<Encoding> process(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    for (const auto& p : items_) encodings = p->process(std::move(encodings), add_special_tokens);
    return encodings;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> items_;
};

std::vector<TemplatePiece> parse_template(const json::value& v, std::string_view what) {
  std::vector<TemplatePiece> out;
  if (!v.is_array()) throw LoadError(std::string(what) + ": expected an array of pieces");
  for (const auto& p : v.get_array()) {
    const auto& o = load::as_object(p, what);
    if (auto* s = o.if_contains("Sequence")) {
      const auto& so = load::as_object(*s, what);
      auto id = load::get_string(so, "id", what);
      if (id != "A" && id != "B") throw LoadError(std::string(what) + ": sequence id must be A or B");
      out.push_back({true, id == "A" ? 0 : 1, {}, static_cast<int32_t>(load::opt_int(so, "type_id", what).value_or(0))});
    } else if (auto* t = o.if_contains("SpecialToken")) {
      const auto& to = load::as_object(*t, what);
      out.push_back({false, 0, load::get_string(to, "id", what),
                     static_cast<int32_t>(load::opt_int(to, "type_id", what).value_or(0))});
    } else {
      throw LoadError(std::string(what) + ": piece must be Sequence or SpecialToken");
    }
  }
  return out;
}

std::pair<std::string, int32_t> token_pair(const json::object& o, std::string_view key) {
  const auto& v = load::field(o, key, "post_processor");
  if (!v.is_array() || v.get_array().size() != 2 || !v.get_array()[0].is_string() || !v.get_array()[1].is_number()) {
    throw LoadError("post_processor." + std::string(key) + ": expected [token, id]");
  }
  return {std::string(v.get_array()[0].get_string()), static_cast<int32_t>(v.get_array()[1].to_number<int64_t>())};
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const json::value& v) {
  const char* what = "post_processor";
  const auto& o = load::as_object(v, what);
  const auto type = load::type_of(o, what);
  if (type == "TemplateProcessing") {
    auto single = parse_template(load::field(o, "single", what), "post_processor.single");
    auto pair = parse_template(load::field(o, "pair", what), "post_processor.pair");
    std::unordered_map<std::string, TemplateProcessing::SpecialToken> specials;
    const auto& so = load::as_object(load::field(o, "special_tokens", what), "post_processor.special_tokens");
    for (const auto& kv : so) {
      const auto& t = load::as_object(kv.value(), "post_processor.special_tokens");
      TemplateProcessing::SpecialToken st;
      const auto& ids = load::field(t, "ids", what);
      const auto& toks = load::field(t, "tokens", what);
      if (!ids.is_array() || !toks.is_array() || ids.get_array().size() != toks.get_array().size()) {
        throw LoadError("post_processor.special_tokens: ids and tokens must be arrays of equal length");
      }
      for (const auto& i : ids.get_array()) {
        if (!i.is_number()) throw LoadError("post_processor.special_tokens: id must be a number");
        st.ids.push_back(static_cast<int32_t>(i.to_number<int64_t>()));
      }
      for (const auto& s : toks.get_array()) {
        if (!s.is_string()) throw LoadError("post_processor.special_tokens: token must be a string");
        st.tokens.emplace_back(s.get_string());
      }
      specials.emplace(std::string(kv.key()), std::move(st));
    }
    for (const auto* tmpl : {&single, &pair}) {
      for (const auto& p : *tmpl) {
        if (!p.is_sequence && !specials.contains(p.special)) {
          throw LoadError("post_processor: missing special token '" + p.special + "'");
        }
      }
    }
    return std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials));
  }
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    auto [sep, sep_id] = token_pair(o, "sep");
    auto [cls, cls_id] = token_pair(o, "cls");
    bool roberta = type == "RobertaProcessing";
    return std::make_unique<ClsSepProcessing>(cls, cls_id, sep, sep_id, roberta,
                                              load::get_bool(o, "trim_offsets", true, what),
                                              load::get_bool(o, "add_prefix_space", true, what));
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelProcessing>(load::get_bool(o, "trim_offsets", true, what),
                                                 load::get_bool(o, "add_prefix_space", true, what));
  }
  if (type == "Sequence") {
    const auto& arr = load::field(o, "processors", what);
    if (!arr.is_array()) throw LoadError("post_processor.processors: expected an array");
    std::vector<std::unique_ptr<PostProcessor>> items;
    for (const auto& p : arr.get_array()) items.push_back(make_post_processor(p));
    return std::make_unique<SequenceProcessing>(std::move(items));
  }
  throw LoadError("post_processor: unsupported type '" + type + "'");
}

}  // namespace hub::inference::tokenizers
