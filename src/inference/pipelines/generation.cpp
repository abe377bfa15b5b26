#include "inference/pipelines/generation.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <new>
#include <numeric>
#include <random>

#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::pipelines {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Softmax into probs (double), -inf logits giving 0.
std::vector<double> softmax(const std::vector<float>& logits) {
  float mx = kNegInf;
  for (float l : logits) mx = std::max(mx, l);
  std::vector<double> p(logits.size());
  double sum = 0;
  for (size_t i = 0; i < logits.size(); ++i) sum += (p[i] = logits[i] == kNegInf ? 0.0 : std::exp(double(logits[i] - mx)));
  for (double& x : p) x /= sum;
  return p;
}

// The logits processors in transformers' order: repetition penalty (also when greedy), then
// temperature, top-k, top-p, typical-p; each masks by setting -inf, as the HF warpers do.
int32_t choose(std::vector<float>& logits, const GenerationParams& p, std::mt19937_64& rng,
               const std::vector<int32_t>& history) {
  const size_t V = logits.size();
  if (p.repetition_penalty != 1.0) {
    std::vector<char> seen(V, 0);
    for (int32_t id : history) {
      if (id < 0 || size_t(id) >= V || seen[size_t(id)]) continue;
      seen[size_t(id)] = 1;
      float& l = logits[size_t(id)];
      l = l < 0 ? float(l * p.repetition_penalty) : float(l / p.repetition_penalty);
    }
  }
  if (!p.do_sample) return int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
  if (p.temperature != 1.0)
    for (float& l : logits) l = float(l / p.temperature);
  if (p.top_k > 0 && size_t(p.top_k) < V) {
    std::vector<float> tmp(logits);
    std::nth_element(tmp.begin(), tmp.begin() + (p.top_k - 1), tmp.end(), std::greater<float>());
    const float kth = tmp[size_t(p.top_k - 1)];
    for (float& l : logits)
      if (l < kth) l = kNegInf;
  }
  if (p.top_p < 1.0) {
    // Ascending order; drop the low tail whose cumulative probability is <= 1 - top_p.
    auto probs = softmax(logits);
    std::vector<int32_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] < logits[b]; });
    double cum = 0;
    for (size_t i = 0; i + 1 < V; ++i) {  // the most likely token always stays
      cum += probs[size_t(order[i])];
      if (cum <= 1.0 - p.top_p) logits[size_t(order[i])] = kNegInf;
      else break;
    }
  }
  if (p.typical_p < 1.0) {
    auto probs = softmax(logits);
    double ent = 0;
    for (double q : probs)
      if (q > 0) ent -= q * std::log(q);
    std::vector<double> shifted(V);
    for (size_t i = 0; i < V; ++i)
      shifted[i] = probs[i] > 0 ? std::abs(-std::log(probs[i]) - ent) : std::numeric_limits<double>::infinity();
    std::vector<int32_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return shifted[a] < shifted[b]; });
    double cum = 0;
    size_t last = 0;
    for (size_t i = 0; i < V; ++i) {
      cum += probs[size_t(order[i])];
      if (cum < p.typical_p) last = i + 1;
    }
    last = std::min(last, V - 1);
    const double limit = shifted[size_t(order[last])];
    for (size_t i = 1; i < V; ++i)
      if (shifted[size_t(order[i])] > limit) logits[size_t(order[i])] = kNegInf;
  }
  auto probs = softmax(logits);
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  for (size_t i = 0; i < V; ++i) {
    if (probs[i] <= 0) continue;
    u -= probs[i];
    if (u < 0) return int32_t(i);
  }
  for (size_t i = V; i-- > 0;)
    if (probs[i] > 0) return int32_t(i);
  return 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<void> bad(const std::string& msg) { return fail(Errc::invalid_argument, "Input validation error: " + msg); }

std::optional<double> number(const boost::json::object& o, std::string_view k) {
  const auto* v = json::find(o, k);
  if (!v || v->is_null()) return std::nullopt;
  return json::get_number(o, k);
}

}  // namespace

SequenceSampler::SequenceSampler(const CausalLM& lm, std::span<const int32_t> prompt, const GenerationParams& p)
    : lm_(&lm), params_(p), prompt_size_(prompt.size()), history_(prompt.begin(), prompt.end()) {}

Result<SequenceSampler> SequenceSampler::start(const CausalLM& lm, std::span<const int32_t> prompt,
                                               const GenerationParams& p) {
  if (prompt.empty()) return fail(Errc::invalid_argument, "Input validation error: `inputs` cannot be empty");
  const int64_t ctx = lm.config().max_positions;
  if (int64_t(prompt.size()) + p.max_new_tokens > ctx)
    return fail(Errc::invalid_argument,
                "Input validation error: `inputs` tokens + `max_new_tokens` must be <= " + std::to_string(ctx) +
                    ". Given: " + std::to_string(prompt.size()) + " `inputs` tokens and " +
                    std::to_string(p.max_new_tokens) + " `max_new_tokens`");
  if (!p.stop.empty() && !lm.tokenizer())
    return fail(Errc::unsupported, "stop sequences need the model's tokenizer");
  SequenceSampler s(lm, prompt, p);
  s.out_.prompt_tokens = prompt.size();
  s.out_.finish_reason = "length";
  s.out_.seed = p.seed ? *p.seed : std::random_device{}() * 0x9E3779B97F4A7C15ull ^ std::random_device{}();
  s.rng_.seed(s.out_.seed);
  return s;
}

int32_t SequenceSampler::choose(const float* logits) {
  row_.assign(logits, logits + lm_->config().vocab_size);
  const int32_t tok = pipelines::choose(row_, params_, rng_, history_);
  out_.tokens.push_back(tok);
  history_.push_back(tok);
  return tok;
}

Result<bool> SequenceSampler::check_end() {
  if (out_.tokens.empty()) return false;
  const int32_t tok = out_.tokens.back();
  if (std::find(params_.eos_token_ids.begin(), params_.eos_token_ids.end(), tok) != params_.eos_token_ids.end()) {
    out_.finish_reason = "eos_token";
    return true;
  }
  if (!params_.stop.empty()) {
    HUB_TRY(text, lm_->tokenizer()->decode(out_.tokens, true));
    if (std::any_of(params_.stop.begin(), params_.stop.end(), [&](const std::string& s) { return ends_with(text, s); })) {
      out_.finish_reason = "stop_sequence";
      return true;
    }
  }
  return int64_t(out_.tokens.size()) >= params_.max_new_tokens;
}

Result<GenerationOutput> generate(const CausalLM& lm, std::span<const int32_t> prompt,
                                  const GenerationParams& p, const TokenCallback& on_token) {
  HUB_TRY(seq, SequenceSampler::start(lm, prompt, p));
  if (seq.done()) return seq.take_output();
  auto state = lm.new_state(seq.cache_capacity());
  HUB_TRY(first, lm.forward(prompt, state));
  Tensor logits = first;
  for (;;) {
    const int32_t tok = seq.choose(logits.data());
    if (on_token && !on_token(tok)) break;  // finish_reason stays "length": the caller knows why
    HUB_TRY(end, seq.check_end());
    if (end) break;
    HUB_TRY(next, lm.forward(std::span(&tok, 1), state));
    logits = next;
  }
  return seq.take_output();
}

Result<GenerationParams> parse_generation_params(const CausalLM& lm, const boost::json::object* params,
                                                 int64_t prompt_tokens) {
  GenerationParams p;
  const auto& cfg = lm.config();
  p.eos_token_ids = cfg.eos_token_ids;
  // generation_config.json sampling defaults apply when it turns sampling on (transformers).
  const auto& gc = cfg.generation;
  if (json::get_bool(gc, "do_sample").value_or(false)) {
    p.do_sample = true;
    p.temperature = number(gc, "temperature").value_or(1.0);
    p.top_k = int64_t(number(gc, "top_k").value_or(50));
    p.top_p = number(gc, "top_p").value_or(1.0);
    p.typical_p = number(gc, "typical_p").value_or(1.0);
  }
  p.repetition_penalty = number(gc, "repetition_penalty").value_or(1.0);
  const int64_t room = std::max<int64_t>(0, cfg.max_positions - prompt_tokens);
  p.max_new_tokens = std::min<int64_t>(1024, room);  // TGI's default, capped to the context
  if (!params) return p;
  const auto& o = *params;
  bool sample = p.do_sample;
  if (const auto* v = json::find(o, "do_sample"); v && !v->is_null()) {
    if (!v->is_bool()) return std::unexpected(bad("`do_sample` must be a boolean").error());
    sample = v->get_bool();
  }
  if (auto t = number(o, "temperature")) {
    if (!(*t > 0)) return std::unexpected(bad("`temperature` must be strictly positive").error());
    p.temperature = *t;
    sample = sample || *t != 1.0;
  }
  if (auto k = number(o, "top_k")) {
    if (!(*k > 0) || *k != std::floor(*k)) return std::unexpected(bad("`top_k` must be strictly positive").error());
    p.top_k = int64_t(std::min(*k, 1e9));
    sample = true;
  }
  if (auto t = number(o, "top_p")) {
    if (!(*t > 0 && *t <= 1)) return std::unexpected(bad("`top_p` must be > 0.0 and <= 1.0").error());
    p.top_p = *t;
    sample = sample || *t < 1.0;
  }
  if (auto t = number(o, "typical_p")) {
    if (!(*t > 0 && *t <= 1)) return std::unexpected(bad("`typical_p` must be > 0.0 and <= 1.0").error());
    p.typical_p = *t;
    sample = sample || *t < 1.0;
  }
  if (auto r = number(o, "repetition_penalty")) {
    if (!(*r > 0)) return std::unexpected(bad("`repetition_penalty` must be strictly positive").error());
    p.repetition_penalty = *r;
  }
  p.do_sample = sample;
  if (const auto* v = json::find(o, "seed"); v && !v->is_null()) {
    if (v->is_uint64()) p.seed = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0) p.seed = uint64_t(v->get_int64());
    else return std::unexpected(bad("`seed` must be an unsigned 64-bit integer").error());
  }
  if (const auto* v = json::find(o, "stop"); v && !v->is_null()) {
    if (v->is_string()) {
      p.stop.emplace_back(v->get_string());
    } else if (v->is_array()) {
      for (const auto& s : v->get_array()) {
        if (!s.is_string()) return std::unexpected(bad("`stop` must be a list of strings").error());
        if (!s.get_string().empty()) p.stop.emplace_back(s.get_string());
      }
    } else {
      return std::unexpected(bad("`stop` must be a list of strings").error());
    }
    if (p.stop.size() > 4)
      return std::unexpected(bad("`stop` supports up to 4 stop sequences. Given: " + std::to_string(p.stop.size())).error());
  }
  if (const auto* v = json::find(o, "max_new_tokens"); v && !v->is_null()) {
    auto n = json::get_int(o, "max_new_tokens");
    if (!n || *n < 0) return std::unexpected(bad("`max_new_tokens` must be a non-negative integer").error());
    if (prompt_tokens + *n > cfg.max_positions)
      return std::unexpected(bad("`inputs` tokens + `max_new_tokens` must be <= " + std::to_string(cfg.max_positions) +
                                 ". Given: " + std::to_string(prompt_tokens) + " `inputs` tokens and " +
                                 std::to_string(*n) + " `max_new_tokens`").error());
    p.max_new_tokens = *n;
  }
  return p;
}

namespace {

// A prompt made ready to generate: token ids (truncated as asked), validated parameters.
struct PreparedPrompt {
  std::vector<int32_t> ids;
  GenerationParams params;
  bool full_text = true;
  bool details = false;
};

Result<PreparedPrompt> prepare_prompt(const CausalLM& lm, std::string_view prompt, const boost::json::object* params) {
  const auto* tok = lm.tokenizer();
  if (!tok) return fail(Errc::unsupported, "this model has no tokenizer.json");
  HUB_TRY(enc, tok->encode(prompt, true));
  PreparedPrompt pp;
  pp.ids = std::move(enc.ids);
  if (params)
    if (const auto* v = json::find(*params, "truncate"); v && !v->is_null()) {
      auto n = json::get_int(*params, "truncate");
      if (!n || *n <= 0) return fail(Errc::invalid_argument, "Input validation error: `truncate` must be strictly positive");
      if (int64_t(pp.ids.size()) > *n) pp.ids.erase(pp.ids.begin(), pp.ids.end() - *n);
    }
  const int64_t ctx = lm.config().max_positions;
  if (int64_t(pp.ids.size()) >= ctx)
    return fail(Errc::invalid_argument, "Input validation error: `inputs` must have less than " +
                                            std::to_string(ctx) + " tokens. Given: " + std::to_string(pp.ids.size()));
  HUB_TRY(p, parse_generation_params(lm, params, int64_t(pp.ids.size())));
  pp.params = std::move(p);
  if (params) {
    if (const auto* v = json::find(*params, "return_full_text"); v && !v->is_null()) {
      if (!v->is_bool()) return fail(Errc::invalid_argument, "Input validation error: `return_full_text` must be a boolean");
      pp.full_text = v->get_bool();
    }
    pp.details = json::get_bool(*params, "details").value_or(false);
  }
  return pp;
}

// transformers: new text = decode(prompt + new)[len(decode(prompt)):], so merges across the
// boundary (a leading space) come out as the full decode has them.
Result<std::string> new_text_of(const tokenizers::Tokenizer& tok, std::span<const int32_t> prompt,
                                std::span<const int32_t> fresh) {
  HUB_TRY(prompt_text, tok.decode(prompt, true));
  std::vector<int32_t> all(prompt.begin(), prompt.end());
  all.insert(all.end(), fresh.begin(), fresh.end());
  HUB_TRY(all_text, tok.decode(all, true));
  return all_text.size() >= prompt_text.size() ? all_text.substr(prompt_text.size()) : all_text;
}

boost::json::object details_of(const GenerationOutput& out, const GenerationParams& p) {
  boost::json::object d;
  d["finish_reason"] = out.finish_reason;
  d["generated_tokens"] = int64_t(out.tokens.size());
  if (p.do_sample) d["seed"] = out.seed;
  return d;
}

Result<GenerationOutput> run_with(const Generator& gen, const CausalLM& lm, std::span<const int32_t> prompt,
                                  const GenerationParams& p, const TokenCallback& on_token = {}) {
  return gen ? gen(prompt, p, on_token) : generate(lm, prompt, p, on_token);
}

Result<boost::json::value> generate_one(const CausalLM& lm, std::string_view prompt,
                                        const boost::json::object* params, const Generator& gen) {
  HUB_TRY(pp, prepare_prompt(lm, prompt, params));
  HUB_TRY(out, run_with(gen, lm, pp.ids, pp.params));
  HUB_TRY(new_text, new_text_of(*lm.tokenizer(), pp.ids, out.tokens));
  boost::json::object r;
  r["generated_text"] = pp.full_text ? std::string(prompt) + new_text : new_text;
  if (pp.details) r["details"] = details_of(out, pp.params);
  return boost::json::value(boost::json::array{std::move(r)});
}

}  // namespace

Result<boost::json::value> text_generation(const CausalLM& lm, const boost::json::value& inputs,
                                           const boost::json::object* params, const Generator& gen) {
  if (!lm.tokenizer()) return fail(Errc::unsupported, "this model has no tokenizer.json");
  if (inputs.is_string()) return generate_one(lm, inputs.get_string(), params, gen);
  if (inputs.is_array() && !inputs.get_array().empty()) {
    boost::json::array all;
    for (const auto& v : inputs.get_array()) {
      if (!v.is_string()) return fail(Errc::invalid_argument, "`inputs` must be a string or a list of strings");
      HUB_TRY(one, generate_one(lm, v.get_string(), params, gen));
      all.push_back(std::move(one));
    }
    return boost::json::value(std::move(all));
  }
  return fail(Errc::invalid_argument, "`inputs` must be a string or a list of strings");
}

Result<TextStream> TextStream::prepare(const CausalLM& lm, const boost::json::value& inputs,
                                      const boost::json::value& parameters) {
  if (!inputs.is_string()) return fail(Errc::invalid_argument, "Streaming takes one `inputs` string");
  if (!parameters.is_null() && !parameters.is_object())
    return fail(Errc::invalid_argument, "`parameters` must be an object");
  const boost::json::object* params = parameters.is_object() ? &parameters.get_object() : nullptr;
  HUB_TRY(pp, prepare_prompt(lm, inputs.get_string(), params));
  return for_prompt(lm, std::move(pp.ids), std::move(pp.params), pp.details);
}

Result<TextStream> TextStream::for_prompt(const CausalLM& lm, std::vector<int32_t> ids, GenerationParams params,
                                         bool details) {
  if (!lm.tokenizer()) return fail(Errc::unsupported, "this model has no tokenizer.json");
  TextStream ts;
  ts.lm_ = &lm;
  ts.ids_ = std::move(ids);
  ts.params_ = std::move(params);
  ts.details_ = details;
  return ts;
}

Result<TextStream::Piece> TextStream::push(int32_t id) {
  fresh_.push_back(id);
  HUB_TRY(text, new_text_of(*lm_->tokenizer(), ids_, fresh_));
  // A token that ends mid-character (byte fallback) decodes to U+FFFD: hand out nothing
  // until the character is complete, so what was sent never has to be taken back.
  Piece piece;
  bool partial = text.size() >= 3 && text.compare(text.size() - 3, 3, "\xEF\xBF\xBD") == 0;
  if (!partial && text.size() >= emitted_.size() && text.compare(0, emitted_.size(), emitted_) == 0) {
    piece.text = text.substr(emitted_.size());
    emitted_ = std::move(text);
  }
  piece.special = std::find(params_.eos_token_ids.begin(), params_.eos_token_ids.end(), id) !=
                  params_.eos_token_ids.end();
  return piece;
}

Result<boost::json::object> TextStream::finish(const GenerationOutput& out) const {
  HUB_TRY(new_text, new_text_of(*lm_->tokenizer(), ids_, out.tokens));
  boost::json::object last;
  last["generated_text"] = new_text;
  if (details_) {
    auto d = details_of(out, params_);
    d["input_length"] = int64_t(ids_.size());
    last["details"] = std::move(d);
  } else {
    last["details"] = nullptr;
  }
  return last;
}

Result<std::function<Result<boost::json::object>(const StreamCallback&)>> prepare_stream(
    const CausalLM& lm, const boost::json::value& inputs, const boost::json::value& parameters,
    const Generator& gen) {
  HUB_TRY(ts, TextStream::prepare(lm, inputs, parameters));
  return [&lm, ts = std::move(ts), gen](const StreamCallback& on_token) mutable -> Result<boost::json::object> {
    Result<void> failure;
    auto each = [&](int32_t id) {
      auto piece = ts.push(id);
      if (!piece) {
        failure = std::unexpected(piece.error());
        return false;
      }
      return on_token(id, piece->text, piece->special);
    };
    HUB_TRY(out, run_with(gen, lm, ts.prompt(), ts.params(), each));
    if (!failure) return std::unexpected(failure.error());
    return ts.finish(out);
  };
}

Result<boost::json::value> run_generation_task(const CausalLM& lm, std::string_view task,
                                               const boost::json::value& inputs,
                                               const boost::json::value& parameters, const Generator& gen) {
  const boost::json::object* params = parameters.is_object() ? &parameters.get_object() : nullptr;
  if (!parameters.is_null() && !params) return fail(Errc::invalid_argument, "`parameters` must be an object");
  if (task != "text-generation")
    return fail(Errc::unsupported, "The task `" + std::string(task) + "` is not supported by this model");
  try {
    return text_generation(lm, inputs, params, gen);
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

}  // namespace hub::inference::pipelines
