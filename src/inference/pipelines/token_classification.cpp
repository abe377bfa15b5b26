// token-classification (docs/INFERENCE_API.md §5): per-token softmax, aggregation
// none|simple|first|average|max (default simple), B-/I- grouping, ignore_labels (default
// ["O"]) applied after grouping. Offsets are code point indices into the input.
// Word boundaries: WordPiece vocabularies (those with a [CLS] token) continue a word with
// "##"; other vocabularies use the "previous character is not a space" rule.
#include <algorithm>
#include <cmath>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

namespace {

struct PreEntity {
  int32_t id = 0;
  std::string word;
  int64_t index = 0, start = 0, end = 0;
  std::vector<double> probs;
  bool is_subword = false;
};

struct Entity {
  std::string entity;
  double score = 0;
  std::vector<int32_t> ids;
  std::string word;  // set for aggregation none
  int64_t index = -1, start = 0, end = 0;
};

size_t argmax(const std::vector<double>& v) {
  return size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

Result<boost::json::array> group(const Tokenizer& tok, const std::vector<Entity>& ents,
                                 const std::vector<std::string>& ignore) {
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
    std::vector<int32_t> ids;
    for (size_t k = i; k < j; ++k) {
      score += ents[k].score;
      ids.insert(ids.end(), ents[k].ids.begin(), ents[k].ids.end());
    }
    if (std::find(ignore.begin(), ignore.end(), group_name) == ignore.end()) {
      HUB_TRY(word, tok.decode(ids, true));
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
  if (stride) return fail(Errc::unsupported, "`stride` is not supported yet");
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
  const std::string text(inputs.get_string());
  HUB_TRY(enc, tok->encode(text));
  HUB_TRY(logits, m.logits(batch_of(enc)));
  const auto& labels = m.config().id2label;
  const int64_t n = m.config().num_labels;
  const auto cp = codepoint_index(text);
  const bool wordpiece = tok->token_to_id("[CLS]").has_value();
  std::optional<int32_t> unk = tok->token_to_id("[UNK]");
  if (!unk) unk = tok->token_to_id("<unk>");

  std::vector<PreEntity> pre;
  for (size_t i = 0; i < enc.ids.size(); ++i) {
    if (enc.special_tokens_mask[i]) continue;
    PreEntity p;
    p.id = enc.ids[i];
    p.index = int64_t(i);
    size_t b = std::min(enc.offsets[i].first, text.size()), e = std::min(enc.offsets[i].second, text.size());
    p.start = cp[b];
    p.end = cp[e];
    p.word = enc.tokens[i];
    const float* row = logits.data() + int64_t(i) * n;
    p.probs.assign(row, row + n);
    softmax_inplace(p.probs);
    if (unk && p.id == *unk) {
      p.word = text.substr(b, e - b);
      p.is_subword = false;
    } else if (wordpiece) {
      p.is_subword = p.word.rfind("##", 0) == 0;
    } else {
      p.is_subword = b > 0 && text[b - 1] != ' ' && (b >= text.size() || text[b] != ' ');
    }
    pre.push_back(std::move(p));
  }

  std::vector<Entity> ents;
  if (agg == "none" || agg == "simple") {
    for (const auto& p : pre) {
      size_t k = argmax(p.probs);
      ents.push_back(Entity{labels[k], p.probs[k], {p.id}, p.word, p.index, p.start, p.end});
    }
    if (agg == "none") {
      boost::json::array out;
      for (const auto& e : ents)
        if (std::find(ignore.begin(), ignore.end(), e.entity) == ignore.end())
          out.push_back(boost::json::object{{"entity", e.entity}, {"score", e.score}, {"index", e.index},
                                            {"word", e.word}, {"start", e.start}, {"end", e.end}});
      return value(std::move(out));
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
      Entity e{labels[k], probs[k], {}, {}, -1, pre[i].start, pre[j - 1].end};
      for (size_t t = i; t < j; ++t) e.ids.push_back(pre[t].id);
      ents.push_back(std::move(e));
      i = j;
    }
  }
  HUB_TRY(out, group(*tok, ents, ignore));
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
