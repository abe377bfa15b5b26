// question-answering (docs/INFERENCE_API.md §5): the context is cut into overlapping windows
// (max_seq_len, doc_stride); per window, scores are P_start[s]·P_end[e] over context tokens
// with e - s < max_answer_len, spans widened to whole words when align_to_words (WordPiece
// "##" continuations; other vocabularies use token offsets). Equal answers (ignoring case)
// add their scores across windows.
#include <algorithm>
#include <cctype>

#include "inference/pipelines/tasks.h"
#include "inference/pipelines/text.h"

namespace hub::inference::pipelines {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

Result<value> question_answering(const Model& m, const value& inputs, const boost::json::object* params) {
  if (m.config().head != HeadKind::question_answering)
    return fail(Errc::unsupported, "model has no question answering head");
  HUB_TRY(tok, require_tokenizer(m));
  if (!inputs.is_object()) return fail(Errc::invalid_argument, "`inputs` must be {question, context}");
  auto question = json::get_string(inputs.get_object(), "question");
  auto context = json::get_string(inputs.get_object(), "context");
  if (!question || !context || question->empty() || context->empty())
    return fail(Errc::invalid_argument, "`question` and `context` must be non-empty strings");
  HUB_TRY(top_k_o, param_int(params, "top_k"));
  HUB_TRY(max_len_o, param_int(params, "max_answer_len"));
  HUB_TRY(max_seq_o, param_int(params, "max_seq_len"));
  HUB_TRY(impossible_o, param_bool(params, "handle_impossible_answer"));
  HUB_TRY(align_o, param_bool(params, "align_to_words"));
  const int64_t top_k = top_k_o.value_or(1), max_answer_len = max_len_o.value_or(15);
  if (top_k < 1) return fail(Errc::invalid_argument, "`top_k` must be >= 1");
  if (max_answer_len < 1) return fail(Errc::invalid_argument, "`max_answer_len` must be >= 1");
  int64_t max_positions = m.config().encoder.max_position_embeddings;
  if (m.config().encoder.positions == layers::PositionScheme::roberta)
    max_positions -= m.config().encoder.pad_token_id + 1;
  const int64_t max_seq = max_seq_o.value_or(std::min<int64_t>(max_positions, 384));
  const bool impossible = impossible_o.value_or(false), align = align_o.value_or(true);

  // Encode the pair once, then cut the context into windows of at most max_seq tokens that
  // overlap by doc_stride, keeping the template's special tokens and the whole question
  // (transformers: truncation="only_second", return_overflowing_tokens, stride=doc_stride).
  HUB_TRY(full, tok->encode_pair(*question, *context));
  const size_t n_full = full.ids.size();
  size_t ctx_begin = n_full, ctx_end = 0;
  for (size_t i = 0; i < n_full; ++i)
    if (full.sequence_ids[i] == 1) {
      ctx_begin = std::min(ctx_begin, i);
      ctx_end = i + 1;
    }
  if (ctx_begin >= ctx_end) return fail(Errc::invalid_argument, "`context` has no tokens");
  const int64_t fixed = int64_t(n_full - (ctx_end - ctx_begin));
  const int64_t window = max_seq - fixed;
  HUB_TRY(stride_o, param_int(params, "doc_stride"));
  const int64_t doc_stride = stride_o.value_or(std::min<int64_t>(max_seq / 2, 128));
  if (doc_stride < 0 || doc_stride > max_seq) return fail(Errc::invalid_argument, "`doc_stride` must be in [0, max_seq_len]");
  if (window <= 0) return fail(Errc::invalid_argument, "the question does not fit max_seq_len");
  if (window <= doc_stride && int64_t(ctx_end - ctx_begin) > window)
    return fail(Errc::invalid_argument, "`doc_stride` leaves no room for new context tokens");

  const std::string ctx_text(*context);
  const auto cp = codepoint_index(ctx_text);
  const bool wordpiece = tok->token_to_id("[CLS]").has_value();
  struct Answer { double score; size_t b, e; std::string text; };
  std::vector<Answer> answers;
  double null_score = 1e6;

  for (size_t w0 = ctx_begin;; w0 += size_t(window - doc_stride)) {
    const size_t w1 = std::min(ctx_end, w0 + size_t(window));
    // Window tokens: indices into the full encoding.
    std::vector<size_t> idx;
    for (size_t i = 0; i < ctx_begin; ++i) idx.push_back(i);
    for (size_t i = w0; i < w1; ++i) idx.push_back(i);
    for (size_t i = ctx_end; i < n_full; ++i) idx.push_back(i);
    Encoding enc;
    for (size_t i : idx) {
      enc.ids.push_back(full.ids[i]);
      enc.type_ids.push_back(full.type_ids[i]);
      enc.attention_mask.push_back(1);
    }
    HUB_TRY(logits, m.logits(batch_of(enc)));
    const size_t n = idx.size();
    std::vector<bool> undesired(n);
    std::vector<double> ps(n), pe(n);
    for (size_t i = 0; i < n; ++i) {
      bool ctx = full.sequence_ids[idx[i]] == 1;
      undesired[i] = !ctx;
      bool keep = ctx || i == 0;  // CLS stays selectable for the null answer
      ps[i] = keep ? logits.data()[2 * i] : -10000.0;
      pe[i] = keep ? logits.data()[2 * i + 1] : -10000.0;
    }
    softmax_inplace(ps);
    softmax_inplace(pe);
    if (impossible) null_score = std::min(null_score, ps[0] * pe[0]);
    ps[0] = pe[0] = 0;
    // Whole words: WordPiece continuations ("##") extend a span, within this window (the
    // word as the window's own encoding knows it, as transformers' word_to_chars sees it).
    auto span_start = [&](size_t f) {
      if (align && wordpiece)
        while (f > w0 && full.tokens[f].rfind("##", 0) == 0) --f;
      return std::min(full.offsets[f].first, ctx_text.size());
    };
    auto span_end = [&](size_t f) {
      if (align && wordpiece)
        while (f + 1 < w1 && full.tokens[f + 1].rfind("##", 0) == 0) ++f;
      return std::min(full.offsets[f].second, ctx_text.size());
    };
    std::vector<Answer> cands;
    for (size_t s = 0; s < n; ++s) {
      if (undesired[s]) continue;
      for (size_t e = s; e < n && int64_t(e - s) < max_answer_len; ++e) {
        if (undesired[e]) continue;
        size_t b = span_start(idx[s]), f = std::max(b, span_end(idx[e]));
        cands.push_back({ps[s] * pe[e], b, f, ctx_text.substr(b, f - b)});
      }
    }
    std::stable_sort(cands.begin(), cands.end(), [](const Answer& a, const Answer& b) { return a.score > b.score; });
    if (int64_t(cands.size()) > top_k) cands.resize(size_t(top_k));
    // The same text found again (another window, another span) adds its score.
    for (auto& c : cands) {
      auto same = std::find_if(answers.begin(), answers.end(),
                               [&](const Answer& a) { return lower(a.text) == lower(c.text); });
      if (same != answers.end()) same->score += c.score;
      else answers.push_back(std::move(c));
    }
    if (w1 >= ctx_end) break;
  }
  if (impossible) answers.push_back({null_score, 0, 0, ""});
  std::stable_sort(answers.begin(), answers.end(), [](const Answer& a, const Answer& b) { return a.score > b.score; });
  if (int64_t(answers.size()) > top_k) answers.resize(size_t(top_k));
  boost::json::array out;
  for (const auto& a : answers)
    out.push_back(boost::json::object{{"score", a.score}, {"start", cp[a.b]}, {"end", cp[a.e]}, {"answer", a.text}});
  if (out.size() == 1) return value(std::move(out[0]));
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
