// feature-extraction (docs/INFERENCE_API.md §5): sentence-transformers models give their
// pooled (and, with a Normalize module, L2-normalised) embedding of the input truncated to
// the model's positions — a string gives [f...], a list [[f...], ...]; other models give the
// last hidden state, 1 x seq x hidden per input.
// sentence-similarity: cosine similarity of the source sentence's embedding with each of
// `sentences` (sentence-transformers pooling, else mean pooling).
#include <algorithm>
#include <cmath>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

namespace {
boost::json::array row(const float* p, int64_t n) {
  boost::json::array a;
  a.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i) a.push_back(double(p[i]));
  return a;
}
// sentence-transformers truncates its inputs to max_seq_length, by default the model's
// positions (sentence_bert_config.json may set less: not read here). Plain transformers
// feature-extraction does not truncate; a too-long input is refused by the encoder.
size_t sentence_max_tokens(const Model& m) { return size_t(std::max<int64_t>(model_max_tokens(m.config()), 1)); }
}  // namespace

Result<value> feature_extraction(const Model& m, const value& inputs, const boost::json::object*) {
  HUB_TRY(tok, require_tokenizer(m));
  const size_t max_len = sentence_max_tokens(m);
  bool single = false;
  HUB_TRY(texts, text_inputs(inputs, &single));
  boost::json::array out;
  if (m.config().sentence_pooling) {
    // Sentence embeddings run in padded batches (the pooling honours the attention mask), so
    // the Inference API's dynamic batching makes one forward of many requests.
    constexpr size_t kMaxBatch = size_t(kMaxForwardBatch);  // memory.h sizes scratch for it
    const auto pad_id = int32_t(m.config().encoder.pad_token_id);
    for (size_t first = 0; first < texts.size(); first += kMaxBatch) {
      std::vector<Encoding> encs;
      for (size_t i = first; i < std::min(texts.size(), first + kMaxBatch); ++i) {
        HUB_TRY(enc, tok->encode(texts[i]));
        truncate_sequence(enc, max_len, 0);
        encs.push_back(std::move(enc));
      }
      auto padded = pad_batch(encs, pad_id);
      HUB_TRY(e, m.embeddings(padded.batch));
      for (size_t b = 0; b < encs.size(); ++b) out.push_back(row(e.data() + b * size_t(e.dim(1)), e.dim(1)));
    }
    if (single) return value(std::move(out[0]));
    return value(std::move(out));
  }
  for (const auto& text : texts) {
    HUB_TRY(enc, tok->encode(text));
    {
      HUB_TRY(h, m.hidden_states(batch_of(enc)));
      boost::json::array tokens;
      for (int64_t s = 0; s < h.dim(1); ++s) tokens.push_back(row(h.data() + s * h.dim(2), h.dim(2)));
      out.push_back(boost::json::array{std::move(tokens)});
    }
  }
  if (single) return value(std::move(out[0]));
  return value(std::move(out));
}

Result<value> sentence_similarity(const Model& m, const value& inputs, const boost::json::object*) {
  HUB_TRY(tok, require_tokenizer(m));
  const auto* in = inputs.if_object();
  auto source = in ? json::get_string(*in, "source_sentence") : std::nullopt;
  const auto* sentences = in ? json::get_array(*in, "sentences") : nullptr;
  if (!source || !sentences)
    return fail(Errc::invalid_argument, "`inputs` must be {source_sentence: str, sentences: [str]}");
  const size_t max_len = sentence_max_tokens(m);
  auto embed = [&](std::string_view text) -> Result<std::vector<double>> {
    HUB_TRY(enc, tok->encode(text));
    truncate_sequence(enc, max_len, 0);
    HUB_TRY(e, m.embeddings(batch_of(enc)));
    return std::vector<double>(e.data(), e.data() + e.dim(1));
  };
  auto norm = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x * x;
    return std::max(std::sqrt(s), 1e-12);
  };
  HUB_TRY(src, embed(*source));
  const double src_norm = norm(src);
  boost::json::array out;
  for (const auto& s : *sentences) {
    if (!s.is_string()) return fail(Errc::invalid_argument, "`sentences` must be strings");
    HUB_TRY(e, embed(std::string_view(s.get_string())));
    double dot = 0;
    for (size_t i = 0; i < e.size(); ++i) dot += e[i] * src[i];
    out.push_back(dot / (norm(e) * src_norm));
  }
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
