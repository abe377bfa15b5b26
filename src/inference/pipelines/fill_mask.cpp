// fill-mask (docs/INFERENCE_API.md §5): softmax over the full vocabulary at each mask,
// top_k (default 5) among all ids or the given targets (scores not renormalised).
#include <algorithm>
#include <numeric>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

Result<value> fill_mask(const Model& m, const value& inputs, const boost::json::object* params) {
  if (m.config().head != HeadKind::masked_lm) return fail(Errc::unsupported, "model has no masked-LM head");
  HUB_TRY(tok, require_tokenizer(m));
  if (!inputs.is_string()) return fail(Errc::invalid_argument, "`inputs` must be a string");
  std::string mask_token = "[MASK]";
  auto mask_id = tok->token_to_id(mask_token);
  if (!mask_id) {
    mask_token = "<mask>";
    mask_id = tok->token_to_id(mask_token);
  }
  if (!mask_id) return fail(Errc::unsupported, "tokenizer has no mask token");
  HUB_TRY(top_k_opt, param_int(params, "top_k"));
  int64_t top_k = top_k_opt.value_or(5);
  if (top_k < 1) return fail(Errc::invalid_argument, "`top_k` must be >= 1");
  const int64_t vocab = m.config().encoder.vocab_size;

  // Candidate ids: targets (exact vocab entry, else the first id of their tokenization), or all.
  std::vector<int32_t> candidates;
  const value* targets = params ? json::find(*params, "targets") : nullptr;
  if (targets && !targets->is_null()) {
    std::vector<std::string> names;
    if (targets->is_string()) names.emplace_back(targets->get_string());
    else if (targets->is_array())
      for (const auto& t : targets->get_array()) {
        if (!t.is_string()) return fail(Errc::invalid_argument, "`targets` must be strings");
        names.emplace_back(t.get_string());
      }
    else return fail(Errc::invalid_argument, "`targets` must be a string or a list of strings");
    for (const auto& name : names) {
      std::optional<int32_t> id = tok->token_to_id(name);
      if (!id) {
        HUB_TRY(e, tok->encode(name, false));
        if (e.ids.empty()) continue;
        id = e.ids[0];
      }
      if (*id >= 0 && *id < vocab && std::find(candidates.begin(), candidates.end(), *id) == candidates.end())
        candidates.push_back(*id);
    }
    if (candidates.empty()) return fail(Errc::invalid_argument, "no valid `targets`");
  } else {
    candidates.resize(size_t(vocab));
    std::iota(candidates.begin(), candidates.end(), 0);
  }
  top_k = std::min<int64_t>(top_k, int64_t(candidates.size()));

  const std::string text(inputs.get_string());
  HUB_TRY(enc, tok->encode(text));
  std::vector<size_t> masks;
  for (size_t i = 0; i < enc.ids.size(); ++i)
    if (enc.ids[i] == *mask_id) masks.push_back(i);
  if (masks.empty()) return fail(Errc::invalid_argument, "No mask_token (" + mask_token + ") found on the input");
  HUB_TRY(logits, m.logits(batch_of(enc)));
  const auto pad = tok->token_to_id(tok->padding() ? tok->padding()->pad_token : "[PAD]");
  const bool single = masks.size() == 1;

  boost::json::array all;
  for (size_t pos : masks) {
    const float* row = logits.data() + int64_t(pos) * vocab;
    std::vector<double> p(row, row + vocab);
    softmax_inplace(p);
    std::vector<int32_t> order = candidates;
    std::partial_sort(order.begin(), order.begin() + top_k, order.end(),
                      [&](int32_t a, int32_t b) { return p[size_t(a)] > p[size_t(b)]; });
    boost::json::array results;
    for (int64_t r = 0; r < top_k; ++r) {
      int32_t id = order[size_t(r)];
      std::vector<int32_t> seq;
      for (size_t i = 0; i < enc.ids.size(); ++i) {
        int32_t t = i == pos ? id : enc.ids[i];
        if (pad && t == *pad && i != pos) continue;
        seq.push_back(t);
      }
      int32_t one[1] = {id};
      HUB_TRY(token_str, tok->decode(one, false));
      HUB_TRY(sequence, tok->decode(seq, single));
      results.push_back(boost::json::object{{"score", p[size_t(id)]}, {"token", id},
                                            {"token_str", token_str}, {"sequence", sequence}});
    }
    all.push_back(std::move(results));
  }
  if (single) return value(std::move(all[0]));
  return value(std::move(all));
}

}  // namespace hub::inference::pipelines
