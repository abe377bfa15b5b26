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
  boost::json::array out;
  for (const auto& text : texts) {
    HUB_TRY(enc, tok->encode(text));
    HUB_TRY(logits, m.logits(batch_of(enc)));
    std::vector<double> s(logits.data(), logits.data() + n);
    if (fn == ScoreFn::softmax) softmax_inplace(s);
    else if (fn == ScoreFn::sigmoid) for (auto& x : s) x = sigmoid(x);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return s[size_t(a)] > s[size_t(b)]; });
    if (top_k) order.resize(size_t(std::min(*top_k, n)));
    boost::json::array labels;
    for (int64_t i : order)
      labels.push_back(boost::json::object{{"label", m.config().id2label[size_t(i)]}, {"score", s[size_t(i)]}});
    out.push_back(std::move(labels));
  }
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
