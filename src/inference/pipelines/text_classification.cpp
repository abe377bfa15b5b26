// text-classification (docs/INFERENCE_API.md §5): all labels, scored by the §4 function,
// sorted descending, optionally cut to top_k; always a list of lists.
#include <algorithm>
#include <numeric>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

Result<value> text_classification(const Model& m, const value& inputs, const boost::json::object* params) {
  if (m.config().head != HeadKind::sequence_classification)
    return fail(Errc::unsupported, "model has no sequence classification head");
  HUB_TRY(tok, require_tokenizer(m));
  HUB_TRY(fn, score_function(m.config(), params));
  HUB_TRY(top_k, param_int(params, "top_k"));
  if (top_k && *top_k < 1) return fail(Errc::invalid_argument, "`top_k` must be >= 1");
  bool single = false;
  HUB_TRY(texts, text_inputs(inputs, &single));
  const int64_t n = m.config().num_labels;
  // Texts run through the model together, in padded batches: one forward for many inputs
  // is what makes the Inference API's dynamic batching pay off.
  constexpr size_t kMaxBatch = size_t(kMaxForwardBatch);  // memory.h sizes scratch for it
  boost::json::array out;
  const auto pad_id = int32_t(m.config().encoder.pad_token_id);
  for (size_t first = 0; first < texts.size(); first += kMaxBatch) {
    std::vector<Encoding> encs;
    for (size_t i = first; i < std::min(texts.size(), first + kMaxBatch); ++i) {
      HUB_TRY(enc, tok->encode(texts[i]));
      encs.push_back(std::move(enc));
    }
    auto padded = pad_batch(encs, pad_id);
    HUB_TRY(logits, m.logits(padded.batch));
    for (size_t b = 0; b < encs.size(); ++b) {
      const float* row = logits.data() + b * size_t(n);
      std::vector<double> s(row, row + n);
      if (fn == ScoreFn::softmax) softmax_inplace(s);
      else if (fn == ScoreFn::sigmoid) for (auto& x : s) x = sigmoid(x);
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t c) { return s[size_t(a)] > s[size_t(c)]; });
      if (top_k) order.resize(size_t(std::min(*top_k, n)));
      boost::json::array labels;
      for (int64_t i : order)
        labels.push_back(boost::json::object{{"label", m.config().id2label[size_t(i)]}, {"score", s[size_t(i)]}});
      out.push_back(std::move(labels));
    }
  }
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
