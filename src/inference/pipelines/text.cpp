#include "inference/pipelines/text.h"

#include <algorithm>
#include <cmath>

namespace hub::inference::pipelines {

Result<const Tokenizer*> require_tokenizer(const Model& m) {
  if (!m.tokenizer()) return fail(Errc::unsupported, "model has no tokenizer.json");
  return m.tokenizer();
}

Batch batch_of(const Encoding& e) {
  return Batch{1, int64_t(e.ids.size()), e.ids, e.attention_mask, e.type_ids};
}

PaddedBatch pad_batch(std::span<const Encoding> encs, int32_t pad_id) {
  PaddedBatch pb;
  size_t seq = 0;
  for (auto& e : encs) seq = std::max(seq, e.ids.size());
  pb.ids.assign(encs.size() * seq, pad_id);
  pb.mask.assign(encs.size() * seq, 0);
  pb.types.assign(encs.size() * seq, 0);
  for (size_t b = 0; b < encs.size(); ++b) {
    const auto& e = encs[b];
    std::copy(e.ids.begin(), e.ids.end(), pb.ids.begin() + ptrdiff_t(b * seq));
    std::copy(e.attention_mask.begin(), e.attention_mask.end(), pb.mask.begin() + ptrdiff_t(b * seq));
    std::copy(e.type_ids.begin(), e.type_ids.end(), pb.types.begin() + ptrdiff_t(b * seq));
  }
  pb.batch = Batch{int64_t(encs.size()), int64_t(seq), pb.ids, pb.mask, pb.types};
  return pb;
}

int64_t model_max_tokens(const ModelConfig& c) {
  int64_t n = c.encoder.max_position_embeddings;
  if (c.encoder.positions == layers::PositionScheme::roberta) n -= c.encoder.pad_token_id + 1;
  return n;
}

void truncate_sequence(Encoding& e, size_t max_len, int32_t seq) {
  if (e.ids.size() <= max_len || e.sequence_ids.size() != e.ids.size()) return;
  size_t excess = e.ids.size() - max_len, seq_end = 0;
  for (size_t i = 0; i < e.ids.size(); ++i)
    if (e.sequence_ids[i] == seq) seq_end = i + 1;
  std::vector<size_t> keep;
  for (size_t i = 0; i < e.ids.size(); ++i)
    if (!(e.sequence_ids[i] == seq && i + excess >= seq_end)) keep.push_back(i);
  const size_t n = e.ids.size();
  auto pick = [&](auto& v) {
    if (v.size() != n) return;
    std::decay_t<decltype(v)> out;
    out.reserve(keep.size());
    for (size_t i : keep) out.push_back(v[i]);
    v = std::move(out);
  };
  pick(e.ids);
  pick(e.type_ids);
  pick(e.tokens);
  pick(e.offsets);
  pick(e.special_tokens_mask);
  pick(e.attention_mask);
  pick(e.sequence_ids);
}

std::vector<int64_t> codepoint_index(std::string_view text) {
  std::vector<int64_t> cp(text.size() + 1);
  int64_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // Continuation bytes (10xxxxxx) belong to the code point that started before them.
    if ((uint8_t(text[i]) & 0xc0) != 0x80) cp[i] = n++;
    else cp[i] = n - 1;
  }
  cp[text.size()] = n;
  return cp;
}

void softmax_inplace(std::vector<double>& v) {
  if (v.empty()) return;
  double mx = *std::max_element(v.begin(), v.end());
  double sum = 0;
  for (auto& x : v) sum += (x = std::exp(x - mx));
  for (auto& x : v) x /= sum;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

Result<ScoreFn> score_function(const ModelConfig& c, const boost::json::object* params) {
  HUB_TRY(f, param_string(params, "function_to_apply"));
  auto parse = [](std::string_view s) -> Result<ScoreFn> {
    if (s == "softmax") return ScoreFn::softmax;
    if (s == "sigmoid") return ScoreFn::sigmoid;
    if (s == "none") return ScoreFn::none;
    return fail(Errc::invalid_argument, "function_to_apply must be softmax, sigmoid or none");
  };
  if (f) return parse(*f);
  if (c.problem_type == "regression") return ScoreFn::none;
  if (c.problem_type == "multi_label_classification" || c.num_labels == 1) return ScoreFn::sigmoid;
  if (c.problem_type == "single_label_classification" || c.num_labels > 1) return ScoreFn::softmax;
  if (auto s = json::get_string(c.raw, "function_to_apply")) return parse(*s);
  return ScoreFn::none;
}

namespace {
// Built by appends: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string chains.
std::unexpected<Error> bad_param(std::string_view key, std::string_view what) {
  std::string msg = "`";
  msg += key;
  msg += "` must be ";
  msg += what;
  return fail(Errc::invalid_argument, std::move(msg));
}
}  // namespace

Result<std::optional<int64_t>> param_int(const boost::json::object* p, std::string_view key) {
  if (!p) return std::optional<int64_t>{};
  const auto* v = json::find(*p, key);
  if (!v || v->is_null()) return std::optional<int64_t>{};
  auto i = json::get_int(*p, key);
  if (!i) return bad_param(key, "an integer");
  return std::optional<int64_t>(*i);
}

Result<std::optional<bool>> param_bool(const boost::json::object* p, std::string_view key) {
  if (!p) return std::optional<bool>{};
  const auto* v = json::find(*p, key);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return bad_param(key, "a boolean");
  return std::optional<bool>(v->get_bool());
}

Result<std::optional<std::string>> param_string(const boost::json::object* p, std::string_view key) {
  if (!p) return std::optional<std::string>{};
  const auto* v = json::find(*p, key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return bad_param(key, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::vector<std::string>> text_inputs(const boost::json::value& inputs, bool* single) {
  std::vector<std::string> out;
  if (inputs.is_string()) {
    *single = true;
    out.emplace_back(inputs.get_string());
    return out;
  }
  *single = false;
  if (!inputs.is_array() || inputs.get_array().empty())
    return fail(Errc::invalid_argument, "`inputs` must be a string or a non-empty list of strings");
  for (const auto& v : inputs.get_array()) {
    if (!v.is_string()) return fail(Errc::invalid_argument, "`inputs` must be a string or a list of strings");
    out.emplace_back(v.get_string());
  }
  return out;
}

}  // namespace hub::inference::pipelines
