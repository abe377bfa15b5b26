// token-classification (docs/INFERENCE_API.md §5): per-token softmax, aggregation
// none|simple|first|average|max (default simple), B-/I- grouping, ignore_labels (default
// ["O"]) applied after grouping. Offsets are code point indices into the input. Texts longer
// than the model are truncated, or with `stride` classified in overlapping windows.
// Word boundaries as transformers draws them: with a WordPiece vocabulary (one with [CLS]) a
// token continues a word when its string and its text span differ in length ("##s" vs "s");
// otherwise when the character before it is not a space. An unknown token's word is its text.
#include <algorithm>
#include <cmath>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

namespace {

// One token of the input: its id, and for [UNK] the input text it stands for.
struct Piece {
  int32_t id = 0;
  bool unk = false;
  std::string text;  // the token string, or the input text for [UNK]
};

struct PreEntity {
  Piece piece;
  int64_t index = 0, start = 0, end = 0;
  std::vector<double> probs;
  bool is_subword = false;
};

struct Entity {
  std::string entity;
  double score = 0;
  std::vector<Piece> pieces;
  int64_t index = -1, start = 0, end = 0;
};

size_t argmax(const std::vector<double>& v) {
  return size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

// The WordPiece decoder's clean-up (the tokenizers library's list), for text joined here.
std::string clean_up(std::string s) {
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (auto [from, to] : kRules)
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  return s;
}

// transformers' convert_tokens_to_string over the tokens of an entity. Runs of known tokens
// go through the tokenizer's decoder; an [UNK] contributes the input text it covers (the
// decoder would drop it as a special token), joined as WordPiece joins a new word.
Result<std::string> tokens_to_string(const Tokenizer& tok, const std::vector<Piece>& pieces, bool wordpiece) {
  std::string out;
  std::vector<int32_t> run;
  bool any_unk = false;
  auto flush = [&]() -> Result<void> {
    if (run.empty()) return {};
    HUB_TRY(text, tok.decode(run, false));
    if (!out.empty()) out += ' ';
    out += text;
    run.clear();
    return {};
  };
  for (const auto& p : pieces) {
    if (!p.unk) {
      run.push_back(p.id);
      continue;
    }
    any_unk = true;
    if (auto r = flush(); !r) return std::unexpected(r.error());
    if (!out.empty()) out += ' ';
    out += p.text;
  }
  if (auto r = flush(); !r) return std::unexpected(r.error());
  if (any_unk && wordpiece) out = clean_up(std::move(out));
  return out;
}

Result<boost::json::array> group(const Tokenizer& tok, const std::vector<Entity>& ents,
                                 const std::vector<std::string>& ignore, bool wordpiece) {
  boost::json::array out;
  auto tag = [](const std::string& label) -> std::pair<char, std::string> {
    if (label.rfind("B-", 0) == 0) return {'B', label.substr(2)};
    if (label.rfind("I-", 0) == 0) return {'I', label.substr(2)};
    return {'I', label};
  };
  size_t i = 0;
  while (i < ents.size()) {
    size_t j = i + 1;
    auto [bi0, type0] = tag(ents[i].entity);
    while (j < ents.size()) {
      auto [bi, type] = tag(ents[j].entity);
      if (type != type0 || bi == 'B') break;
      ++j;
    }
    std::string label = ents[i].entity;
    auto dash = label.find('-');
    std::string group_name = dash == std::string::npos ? label : label.substr(dash + 1);
    double score = 0;
    std::vector<Piece> pieces;
    for (size_t k = i; k < j; ++k) {
      score += ents[k].score;
      pieces.insert(pieces.end(), ents[k].pieces.begin(), ents[k].pieces.end());
    }
    if (std::find(ignore.begin(), ignore.end(), group_name) == ignore.end()) {
      HUB_TRY(word, tokens_to_string(tok, pieces, wordpiece));
      out.push_back(boost::json::object{{"entity_group", group_name},
                                        {"score", score / double(j - i)},
                                        {"word", word},
                                        {"start", ents[i].start},
                                        {"end", ents[j - 1].end}});
    }
    i = j;
  }
  return out;
}

int64_t codepoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (uint8_t(c) & 0xc0) != 0x80;
  return n;
}

// The text and what the request asks of it.
struct Job {
  std::string text;
  std::vector<int64_t> cp;  // byte offset -> code point offset
  std::string agg;
  std::vector<std::string> ignore;
  bool wordpiece = false;
  std::optional<int32_t> unk;
};

// What one encoding (all of the text, or a stride window of it) gives: entities (aggregation
// none) or groups, with ignore_labels removed.
Result<boost::json::array> classify(const Model& m, const Tokenizer& tok, const Encoding& enc, const Job& w) {
  const auto& labels = m.config().id2label;
  const int64_t n = m.config().num_labels;
  HUB_TRY(logits, m.logits(batch_of(enc)));
  const std::string& text = w.text;
  const auto& cp = w.cp;
  const auto& unk = w.unk;
  const std::string& agg = w.agg;
  const auto& ignore = w.ignore;

  std::vector<PreEntity> pre;
  for (size_t i = 0; i < enc.ids.size(); ++i) {
    if (enc.special_tokens_mask[i]) continue;
    PreEntity p;
    p.piece.id = enc.ids[i];
    p.index = int64_t(i);
    size_t b = std::min(enc.offsets[i].first, text.size()), e = std::min(enc.offsets[i].second, text.size());
    p.start = cp[b];
    p.end = cp[e];
    p.piece.text = enc.tokens[i];
    const float* row = logits.data() + int64_t(i) * n;
    p.probs.assign(row, row + n);
    softmax_inplace(p.probs);
    if (unk && p.piece.id == *unk) {
      p.piece.text = text.substr(b, e - b);
      p.piece.unk = true;
      p.is_subword = false;
    } else if (w.wordpiece) {
      // Python len() of the token string vs of its text span (code points).
      p.is_subword = codepoints(p.piece.text) != p.end - p.start;
    } else {
      p.is_subword = b > 0 && text[b - 1] != ' ' && (b >= text.size() || text[b] != ' ');
    }
    pre.push_back(std::move(p));
  }

  std::vector<Entity> ents;
  if (agg == "none" || agg == "simple") {
    for (const auto& p : pre) {
      size_t k = argmax(p.probs);
      ents.push_back(Entity{labels[k], p.probs[k], {p.piece}, p.index, p.start, p.end});
    }
    if (agg == "none") {
      boost::json::array out;
      for (const auto& e : ents)
        if (std::find(ignore.begin(), ignore.end(), e.entity) == ignore.end())
          out.push_back(boost::json::object{{"entity", e.entity}, {"score", e.score}, {"index", e.index},
                                            {"word", e.pieces[0].text}, {"start", e.start}, {"end", e.end}});
      return out;
    }
  } else {
    // Words: a word starts at every non-subword token.
    size_t i = 0;
    while (i < pre.size()) {
      size_t j = i + 1;
      while (j < pre.size() && pre[j].is_subword) ++j;
      std::vector<double> probs;
      if (agg == "first") {
        probs = pre[i].probs;
      } else if (agg == "max") {
        size_t best = i;
        for (size_t k = i; k < j; ++k)
          if (*std::max_element(pre[k].probs.begin(), pre[k].probs.end()) >
              *std::max_element(pre[best].probs.begin(), pre[best].probs.end()))
            best = k;
        probs = pre[best].probs;
      } else {
        probs.assign(size_t(n), 0.0);
        for (size_t k = i; k < j; ++k)
          for (int64_t c = 0; c < n; ++c) probs[size_t(c)] += pre[k].probs[size_t(c)] / double(j - i);
      }
      size_t k = argmax(probs);
      Entity e{labels[k], probs[k], {}, -1, pre[i].start, pre[j - 1].end};
      for (size_t t = i; t < j; ++t) e.pieces.push_back(pre[t].piece);
      ents.push_back(std::move(e));
      i = j;
    }
  }
  return group(tok, ents, ignore, w.wordpiece);
}

// The tokens idx of an encoding (in order), as an encoding of their own.
Encoding subset(const Encoding& e, const std::vector<size_t>& idx) {
  Encoding out;
  for (size_t i : idx) {
    out.ids.push_back(e.ids[i]);
    out.type_ids.push_back(e.type_ids[i]);
    out.tokens.push_back(e.tokens[i]);
    out.offsets.push_back(e.offsets[i]);
    out.special_tokens_mask.push_back(e.special_tokens_mask[i]);
    out.attention_mask.push_back(e.attention_mask[i]);
    out.sequence_ids.push_back(e.sequence_ids[i]);
  }
  return out;
}

}  // namespace

Result<value> token_classification(const Model& m, const value& inputs, const boost::json::object* params) {
  if (m.config().head != HeadKind::token_classification)
    return fail(Errc::unsupported, "model has no token classification head");
  HUB_TRY(tok, require_tokenizer(m));
  HUB_TRY(agg_opt, param_string(params, "aggregation_strategy"));
  std::string agg = agg_opt.value_or("simple");
  if (agg != "none" && agg != "simple" && agg != "first" && agg != "average" && agg != "max")
    return fail(Errc::invalid_argument, "`aggregation_strategy` must be none, simple, first, average or max");
  HUB_TRY(stride, param_int(params, "stride"));
  std::vector<std::string> ignore{"O"};
  if (const value* il = params ? json::find(*params, "ignore_labels") : nullptr; il && !il->is_null()) {
    if (!il->is_array()) return fail(Errc::invalid_argument, "`ignore_labels` must be a list of strings");
    ignore.clear();
    for (const auto& v : il->get_array()) {
      if (!v.is_string()) return fail(Errc::invalid_argument, "`ignore_labels` must be a list of strings");
      ignore.emplace_back(v.get_string());
    }
  }
  if (!inputs.is_string()) return fail(Errc::invalid_argument, "`inputs` must be a string");
  Job w{std::string(inputs.get_string()), {}, agg, ignore, false, std::nullopt};
  w.cp = codepoint_index(w.text);
  w.wordpiece = tok->token_to_id("[CLS]").has_value();
  w.unk = tok->token_to_id("[UNK]");
  if (!w.unk) w.unk = tok->token_to_id("<unk>");
  const size_t max_len = size_t(std::max<int64_t>(model_max_tokens(m.config()), 1));
  HUB_TRY(enc, tok->encode(w.text));
  if (!stride) {
    // transformers truncates to the model's maximum length (truncation=True).
    truncate_sequence(enc, max_len, 0);
    HUB_TRY(out, classify(m, *tok, enc, w));
    return value(std::move(out));
  }
  // stride: the whole text in overlapping windows of at most max_len tokens (the tokenizer's
  // return_overflowing_tokens), each classified on its own; overlapping entities then keep
  // the longer span (equal spans: the higher score), as transformers merges them.
  if (agg == "none")
    return fail(Errc::invalid_argument, "`stride` needs an aggregation_strategy other than \"none\"");
  size_t first = enc.ids.size(), last = 0;  // the text's tokens: [first, last)
  for (size_t i = 0; i < enc.ids.size(); ++i)
    if (enc.sequence_ids[i] == 0) first = std::min(first, i), last = i + 1;
  const size_t fixed = enc.ids.size() - (last > first ? last - first : 0);
  if (*stride < 0 || fixed >= max_len || size_t(*stride) >= max_len - fixed)
    return fail(Errc::invalid_argument, "`stride` must be >= 0 and less than the model's maximum length (" +
                                            std::to_string(max_len - fixed) + " tokens of text per window)");
  const size_t room = max_len - fixed, step = room - size_t(*stride);
  boost::json::array all;
  size_t windows = 0;
  for (size_t w0 = first;; w0 += step) {
    const size_t w1 = std::min(last, w0 + room);
    std::vector<size_t> idx;
    for (size_t i = 0; i < enc.ids.size(); ++i)
      if (enc.sequence_ids[i] != 0 || (i >= w0 && i < w1)) idx.push_back(i);
    HUB_TRY(part, classify(m, *tok, subset(enc, idx), w));
    for (auto& e : part) all.push_back(std::move(e));
    ++windows;
    if (w1 >= last) break;
  }
  if (windows == 1 || all.empty()) return value(std::move(all));
  auto num = [](const value& e, const char* k) { return e.at(k).to_number<double>(); };
  std::stable_sort(all.begin(), all.end(), [&](const value& a, const value& b) { return num(a, "start") < num(b, "start"); });
  boost::json::array merged;
  value prev = all[0];
  for (const auto& e : all) {
    if (num(prev, "start") <= num(e, "start") && num(e, "start") < num(prev, "end")) {
      double len = num(e, "end") - num(e, "start"), prev_len = num(prev, "end") - num(prev, "start");
      if (len > prev_len || (len == prev_len && num(e, "score") > num(prev, "score"))) prev = e;
    } else {
      merged.push_back(prev);
      prev = e;
    }
  }
  merged.push_back(prev);
  return value(std::move(merged));
}

}  // namespace hub::inference::pipelines
