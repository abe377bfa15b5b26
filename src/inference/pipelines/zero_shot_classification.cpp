// zero-shot-classification (docs/INFERENCE_API.md §5) with transformers' semantics: every
// (input, label) becomes an NLI pair (premise = input, hypothesis = the template filled with
// the label) run through the sequence-classification head. The entailment column is the
// config's label2id entry whose name starts with "entail" (any case), else the last column;
// the contradiction column is the first one (the last one when entailment is the first).
// Single-label: softmax of the entailment logits across the labels. Multi-label (or a single
// label): per label, softmax over [contradiction, entailment], keeping entailment. Output
// {sequence, labels, scores} sorted by score, one per input (a list for a list input).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// candidate_labels: a list of strings, or one string of comma-separated labels (each
// stripped, empty ones dropped) — as transformers parses them.
Result<std::vector<std::string>> candidate_labels(const boost::json::object* params) {
  const value* v = params ? json::find(*params, "candidate_labels") : nullptr;
  std::vector<std::string> out;
  if (!v || v->is_null()) return fail(Errc::invalid_argument, "`candidate_labels` is required (a list of labels)");
  if (v->is_string()) {
    std::string_view s = v->get_string();
    for (size_t pos = 0; pos <= s.size();) {
      size_t comma = std::min(s.find(',', pos), s.size());
      if (auto label = trim(s.substr(pos, comma - pos)); !label.empty()) out.push_back(std::move(label));
      pos = comma + 1;
    }
  } else if (v->is_array()) {
    for (const auto& l : v->get_array()) {
      if (!l.is_string()) return fail(Errc::invalid_argument, "`candidate_labels` must be a list of strings");
      out.emplace_back(l.get_string());
    }
  } else {
    return fail(Errc::invalid_argument, "`candidate_labels` must be a list of strings or a comma-separated string");
  }
  if (out.empty()) return fail(Errc::invalid_argument, "You must include at least one label in `candidate_labels`");
  return out;
}

// Python's str.format with one positional argument, for the subset a hypothesis template
// uses: "{}" and "{0}" take the label, "{{" and "}}" are literal braces. Anything else
// (named fields, a lone brace) is an error, as it is in Python.
Result<std::string> format_template(std::string_view t, std::string_view label) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < t.size() && t[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      size_t close = t.find('}', i);
      std::string_view field = close == std::string_view::npos ? t.substr(i) : t.substr(i + 1, close - i - 1);
      if (close == std::string_view::npos || (field != "" && field != "0"))
        return fail(Errc::invalid_argument, "`hypothesis_template` may only contain {} where the label goes");
      out += label;
      i = close;
    } else if (c == '}') {
      return fail(Errc::invalid_argument, "`hypothesis_template` has a single '}'");
    } else {
      out += c;
    }
  }
  return out;
}

// The entailment column: the first label2id key starting with "entail" (case-insensitive),
// else -1 (the last column), as transformers decides it.
int64_t entailment_column(const ModelConfig& c) {
  auto starts_entail = [](std::string_view s) {
    if (s.size() < 6) return false;
    std::string head(s.substr(0, 6));
    for (auto& ch : head) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return head == "entail";
  };
  if (const auto* l2i = json::get_object(c.raw, "label2id")) {
    for (const auto& [k, v] : *l2i)
      if (starts_entail(k)) {
        if (v.is_int64() && v.get_int64() >= 0 && v.get_int64() < c.num_labels) return v.get_int64();
        if (v.is_uint64() && int64_t(v.get_uint64()) < c.num_labels) return int64_t(v.get_uint64());
        break;
      }
    return c.num_labels - 1;
  }
  // No label2id: transformers derives it from id2label.
  for (size_t i = 0; i < c.id2label.size(); ++i)
    if (starts_entail(c.id2label[i])) return int64_t(i);
  return c.num_labels - 1;
}

}  // namespace

Result<value> zero_shot_classification(const Model& m, const value& inputs, const boost::json::object* params) {
  const auto& cfg = m.config();
  if (cfg.head != HeadKind::sequence_classification)
    return fail(Errc::unsupported, "zero-shot-classification needs a sequence classification (NLI) model");
  if (cfg.num_labels < 2) return fail(Errc::unsupported, "zero-shot-classification needs an NLI model with at least 2 labels");
  HUB_TRY(tok, require_tokenizer(m));
  HUB_TRY(labels, candidate_labels(params));
  HUB_TRY(tmpl_o, param_string(params, "hypothesis_template"));
  const std::string tmpl = tmpl_o.value_or("This example is {}.");
  HUB_TRY(multi_o, param_bool(params, "multi_label"));
  HUB_TRY(multi_class_o, param_bool(params, "multi_class"));  // the legacy name
  std::vector<std::string> hypotheses;
  for (const auto& l : labels) {
    HUB_TRY(h, format_template(tmpl, l));
    hypotheses.push_back(std::move(h));
  }
  if (hypotheses[0] == tmpl)
    return fail(Errc::invalid_argument, "The provided hypothesis_template \"" + tmpl +
                                            "\" was not able to be formatted with the target labels: it must contain {}");
  const bool multi = labels.size() == 1 || multi_o.value_or(multi_class_o.value_or(false));
  bool single = false;
  HUB_TRY(texts, text_inputs(inputs, &single));
  // One forward pass per (input, label) pair: bound the work one request can ask for.
  constexpr size_t kMaxPairs = 1024;
  if (texts.size() * labels.size() > kMaxPairs)
    return fail(Errc::invalid_argument, "Too many inputs x candidate_labels (" + std::to_string(texts.size()) + " x " +
                                            std::to_string(labels.size()) + "; at most " + std::to_string(kMaxPairs) +
                                            " pairs per request)");

  const int64_t n = cfg.num_labels;
  const int64_t ent = entailment_column(cfg);
  const int64_t con = ent == 0 ? n - 1 : 0;
  const size_t max_len = size_t(std::max<int64_t>(model_max_tokens(cfg), 1));
  const auto pad_id = int32_t(cfg.encoder.pad_token_id);
  constexpr size_t kMaxBatch = size_t(kMaxForwardBatch);  // pairs per forward (memory.h sizes for it)
  boost::json::array out;
  for (const auto& text : texts) {
    // Entailment and contradiction logits of each label's pair.
    std::vector<double> e_logit, c_logit;
    for (size_t first = 0; first < labels.size(); first += kMaxBatch) {
      std::vector<Encoding> encs;
      for (size_t i = first; i < std::min(labels.size(), first + kMaxBatch); ++i) {
        HUB_TRY(enc, tok->encode_pair(text, hypotheses[i]));
        truncate_sequence(enc, max_len, 0);  // transformers: truncation="only_first"
        if (enc.ids.size() > max_len)
          return fail(Errc::invalid_argument, "the hypothesis is longer than the model's maximum length");
        encs.push_back(std::move(enc));
      }
      auto padded = pad_batch(encs, pad_id);
      HUB_TRY(logits, m.logits(padded.batch));
      for (size_t b = 0; b < encs.size(); ++b) {
        const float* row = logits.data() + b * size_t(n);
        e_logit.push_back(row[ent]);
        c_logit.push_back(row[con]);
      }
    }
    std::vector<double> scores(labels.size());
    if (multi) {
      for (size_t i = 0; i < labels.size(); ++i) {
        std::vector<double> pair{c_logit[i], e_logit[i]};
        softmax_inplace(pair);
        scores[i] = pair[1];
      }
    } else {
      scores = e_logit;
      softmax_inplace(scores);
    }
    std::vector<size_t> order(labels.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    boost::json::array ls, ss;
    for (size_t i : order) {
      ls.emplace_back(labels[i]);
      ss.emplace_back(scores[i]);
    }
    out.push_back(boost::json::object{{"sequence", text}, {"labels", std::move(ls)}, {"scores", std::move(ss)}});
  }
  if (single) return value(std::move(out[0]));
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
