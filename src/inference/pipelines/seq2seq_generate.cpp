#include "inference/pipelines/seq2seq_generate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "inference/models/memory.h"

namespace hub::inference::pipelines {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// generate()'s placeholder score for beams that must not be chosen (beams 1.. at the start).
constexpr double kNeg = -1.0e9;

Result<int64_t> int_field(const boost::json::value& v, std::string_view key, int64_t lo, int64_t hi) {
  std::optional<int64_t> i;
  if (v.is_int64()) i = v.get_int64();
  else if (v.is_uint64() && v.get_uint64() <= uint64_t(INT64_MAX)) i = int64_t(v.get_uint64());
  else if (v.is_double() && std::floor(v.get_double()) == v.get_double() && std::abs(v.get_double()) < 1e15)
    i = int64_t(v.get_double());
  if (!i || *i < lo || *i > hi) {
    std::string msg = "`";
    msg.append(key).append("` must be an integer in [").append(std::to_string(lo)).append(", ");
    msg.append(std::to_string(hi)).append("]");
    return fail(Errc::invalid_argument, msg);
  }
  return *i;
}

Result<std::vector<int32_t>> id_list(const boost::json::value& v, std::string_view key, int64_t vocab) {
  std::vector<int32_t> out;
  if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      HUB_TRY(i, int_field(e, key, 0, vocab - 1));
      out.push_back(int32_t(i));
    }
  } else {
    HUB_TRY(i, int_field(v, key, 0, vocab - 1));
    out.push_back(int32_t(i));
  }
  return out;
}

// generate()'s logits processors for one hypothesis `seq` (start token included), in its order.
void process(std::span<const int32_t> seq, double* s, int64_t vocab, const Seq2SeqParams& p) {
  const int64_t len = int64_t(seq.size()), stop = p.stop_length();
  const int64_t n = p.no_repeat_ngram_size;
  if (n > 0 && len + 1 >= n) {
    // Ban every token that would repeat an n-gram whose first n-1 tokens end the sequence.
    for (int64_t i = 0; i + n <= len; ++i)
      if (std::equal(seq.begin() + i, seq.begin() + i + n - 1, seq.end() - (n - 1))) s[seq[size_t(i + n - 1)]] = kNegInf;
  }
  for (const auto& bw : p.bad_words_ids) {
    const int64_t m = int64_t(bw.size());
    if (m == 1 && std::find(p.eos_token_ids.begin(), p.eos_token_ids.end(), bw[0]) != p.eos_token_ids.end()) continue;
    if (m == 1 || (len >= m - 1 && std::equal(bw.begin(), bw.end() - 1, seq.end() - (m - 1)))) s[bw.back()] = kNegInf;
  }
  if (len < p.min_length || len - 1 < p.min_new_tokens)
    for (int32_t e : p.eos_token_ids) s[e] = kNegInf;
  if (p.forced_bos_token_id && len == 1) {
    std::fill(s, s + vocab, kNegInf);
    s[*p.forced_bos_token_id] = 0;
  }
  if (p.forced_eos_token_id && len == stop - 1) {
    std::fill(s, s + vocab, kNegInf);
    s[*p.forced_eos_token_id] = 0;
  }
}

bool is_eos(const Seq2SeqParams& p, int32_t t) {
  return std::find(p.eos_token_ids.begin(), p.eos_token_ids.end(), t) != p.eos_token_ids.end();
}

Result<std::vector<int32_t>> greedy(const Seq2SeqLM& lm, std::shared_ptr<const EncoderStates> src,
                                    const Seq2SeqParams& p) {
  const int64_t V = lm.config().vocab_size;
  std::vector<int32_t> seq{p.decoder_start_token_id};
  Seq2SeqState st = lm.new_state(std::move(src));
  std::vector<double> s(static_cast<size_t>(V));
  Seq2SeqState* states[] = {&st};
  while (true) {
    const int32_t last[] = {seq.back()};
    HUB_TRY(logits, lm.decode_step(last, states));
    for (int64_t i = 0; i < V; ++i) s[size_t(i)] = logits.data()[i];
    process(seq, s.data(), V, p);
    const int32_t tok = int32_t(std::max_element(s.begin(), s.end()) - s.begin());  // first of ties
    seq.push_back(tok);
    if (is_eos(p, tok) || int64_t(seq.size()) >= p.stop_length()) break;
  }
  return std::vector<int32_t>(seq.begin() + 1, seq.end());
}

struct Finished {
  double score;
  std::vector<int32_t> seq;
};

Result<std::vector<int32_t>> beam_search(const Seq2SeqLM& lm, std::shared_ptr<const EncoderStates> src,
                                         const Seq2SeqParams& p) {
  const int64_t V = lm.config().vocab_size, nb = p.num_beams, stop = p.stop_length();
  const int64_t keep = std::max<int64_t>(2, 1 + int64_t(p.eos_token_ids.size())) * nb;
  const double lp = p.length_penalty;
  const bool es_yes = p.early_stopping == Seq2SeqParams::EarlyStopping::yes;
  std::vector<std::vector<int32_t>> running(size_t(nb), std::vector<int32_t>{p.decoder_start_token_id});
  std::vector<double> run_scores(size_t(nb), kNeg);
  run_scores[0] = 0;
  std::vector<Seq2SeqState> states;
  for (int64_t b = 0; b < nb; ++b) states.push_back(lm.new_state(src));
  std::vector<Finished> finished;  // best first, at most nb
  bool unsat = true;
  std::vector<double> all(static_cast<size_t>(nb * V));
  std::vector<int64_t> order(size_t(nb * V));
  for (int64_t cur = 1;; ++cur) {
    std::vector<int32_t> last;
    std::vector<Seq2SeqState*> sp;
    for (int64_t b = 0; b < nb; ++b) {
      last.push_back(running[size_t(b)].back());
      sp.push_back(&states[size_t(b)]);
    }
    HUB_TRY(logits, lm.decode_step(last, sp));
    for (int64_t b = 0; b < nb; ++b) {
      const float* row = logits.data() + b * V;
      double* s = all.data() + b * V;
      double mx = row[0];
      for (int64_t i = 1; i < V; ++i) mx = std::max(mx, double(row[i]));
      double sum = 0;
      for (int64_t i = 0; i < V; ++i) sum += std::exp(double(row[i]) - mx);
      const double lse = mx + std::log(sum);
      for (int64_t i = 0; i < V; ++i) s[i] = double(row[i]) - lse;  // log_softmax
      process(running[size_t(b)], s, V, p);
      for (int64_t i = 0; i < V; ++i) s[i] += run_scores[size_t(b)];
    }
    std::iota(order.begin(), order.end(), int64_t(0));
    std::partial_sort(order.begin(), order.begin() + keep, order.end(),
                      [&](int64_t a, int64_t b) { return all[size_t(a)] > all[size_t(b)] || (all[size_t(a)] == all[size_t(b)] && a < b); });
    // The top `keep` continuations; those that end (eos or the length limit) cannot run on.
    struct Cand {
      int64_t beam;
      int32_t tok;
      double score;
      bool hit;
    };
    std::vector<Cand> cands;
    bool all_hit = true;
    for (int64_t k = 0; k < keep; ++k) {
      const int64_t idx = order[size_t(k)];
      const int32_t tok = int32_t(idx % V);
      const bool hit = is_eos(p, tok) || cur + 1 >= stop;
      all_hit = all_hit && hit;
      cands.push_back({idx / V, tok, all[size_t(idx)], hit});
    }
    // Finished: the top-nb ranks that ended, length-penalised, unless no improvement is possible.
    if (unsat && !(es_yes && int64_t(finished.size()) == nb)) {
      for (int64_t k = 0; k < nb; ++k) {
        const auto& c = cands[size_t(k)];
        if (!c.hit) continue;
        Finished f{c.score / std::pow(double(cur), lp), running[size_t(c.beam)]};
        f.seq.push_back(c.tok);
        auto at = std::find_if(finished.begin(), finished.end(), [&](const Finished& x) { return f.score > x.score; });
        finished.insert(at, std::move(f));
        if (int64_t(finished.size()) > nb) finished.pop_back();
      }
    }
    if (all_hit) break;
    // Running: the best nb continuations that did not end.
    std::vector<std::vector<int32_t>> next_running;
    std::vector<double> next_scores;
    std::vector<Seq2SeqState> next_states;
    std::vector<int64_t> uses(size_t(nb), 0);
    std::vector<const Cand*> chosen;
    for (const auto& c : cands)
      if (!c.hit && int64_t(chosen.size()) < nb) chosen.push_back(&c), uses[size_t(c.beam)]++;
    if (int64_t(chosen.size()) < nb) return fail(Errc::internal, "beam search ran out of continuations");
    for (const Cand* c : chosen) {
      auto seq = running[size_t(c->beam)];
      seq.push_back(c->tok);
      next_running.push_back(std::move(seq));
      next_scores.push_back(c->score);
      // Reorder the caches: the last use of a beam takes its state, earlier uses copy it.
      if (--uses[size_t(c->beam)] == 0) next_states.push_back(std::move(states[size_t(c->beam)]));
      else next_states.push_back(states[size_t(c->beam)]);
    }
    running = std::move(next_running);
    run_scores = std::move(next_scores);
    states = std::move(next_states);
    // generate()'s early-stop heuristic: can the best running beam still beat the worst kept?
    const bool never = p.early_stopping == Seq2SeqParams::EarlyStopping::never;
    const double best_len = (never && lp > 0) ? double(stop - 1) : double(cur);
    const double best_possible = run_scores[0] / std::pow(best_len, lp);
    const bool full = int64_t(finished.size()) == nb;
    unsat = unsat && (!full || best_possible > finished.back().score);
    if (!unsat || (full && es_yes)) break;
  }
  if (finished.empty()) return fail(Errc::internal, "beam search finished no hypothesis");
  return std::vector<int32_t>(finished.front().seq.begin() + 1, finished.front().seq.end());
}

}  // namespace

Result<void> apply_generation_fields(Seq2SeqParams& p, const boost::json::object& o, int64_t vocab) {
  for (const auto& [k, v] : o) {
    if (v.is_null()) continue;
    const std::string_view key = k;
    if (key == "max_length") {
      HUB_TRY(i, int_field(v, key, 1, 1 << 20));
      p.max_length = i;
    } else if (key == "max_new_tokens") {
      HUB_TRY(i, int_field(v, key, 1, 1 << 20));
      p.max_new_tokens = i;
    } else if (key == "min_length") {
      HUB_TRY(i, int_field(v, key, 0, 1 << 20));
      p.min_length = i;
    } else if (key == "min_new_tokens") {
      HUB_TRY(i, int_field(v, key, 0, 1 << 20));
      p.min_new_tokens = i;
    } else if (key == "num_beams") {
      HUB_TRY(i, int_field(v, key, 1, kMaxBeams));
      p.num_beams = i;
    } else if (key == "length_penalty") {
      if (!v.is_number()) return fail(Errc::invalid_argument, "`length_penalty` must be a number");
      const double d = v.to_number<double>();
      if (!(std::abs(d) <= 100)) return fail(Errc::invalid_argument, "`length_penalty` must be in [-100, 100]");
      p.length_penalty = d;
    } else if (key == "early_stopping") {
      if (v.is_bool()) p.early_stopping = v.get_bool() ? Seq2SeqParams::EarlyStopping::yes : Seq2SeqParams::EarlyStopping::no;
      else if (v.is_string() && v.get_string() == "never") p.early_stopping = Seq2SeqParams::EarlyStopping::never;
      else return fail(Errc::invalid_argument, "`early_stopping` must be true, false or \"never\"");
    } else if (key == "no_repeat_ngram_size") {
      HUB_TRY(i, int_field(v, key, 0, 1 << 16));
      p.no_repeat_ngram_size = i;
    } else if (key == "bad_words_ids") {
      if (!v.is_array()) return fail(Errc::invalid_argument, "`bad_words_ids` must be a list of lists of token ids");
      p.bad_words_ids.clear();
      for (const auto& seq : v.get_array()) {
        if (!seq.is_array() || seq.get_array().empty())
          return fail(Errc::invalid_argument, "`bad_words_ids` must be a list of non-empty lists of token ids");
        HUB_TRY(ids, id_list(seq, key, vocab));
        p.bad_words_ids.push_back(std::move(ids));
      }
    } else if (key == "forced_bos_token_id") {
      HUB_TRY(i, int_field(v, key, 0, vocab - 1));
      p.forced_bos_token_id = int32_t(i);
    } else if (key == "forced_eos_token_id") {
      HUB_TRY(ids, id_list(v, key, vocab));
      if (ids.empty()) return fail(Errc::invalid_argument, "`forced_eos_token_id` must not be empty");
      p.forced_eos_token_id = ids.front();
    } else if (key == "decoder_start_token_id") {
      HUB_TRY(i, int_field(v, key, 0, vocab - 1));
      p.decoder_start_token_id = int32_t(i);
    } else if (key == "eos_token_id") {
      HUB_TRY(ids, id_list(v, key, vocab));
      p.eos_token_ids = std::move(ids);
    } else if (key == "do_sample") {
      if (!v.is_bool()) return fail(Errc::invalid_argument, "`do_sample` must be a boolean");
      if (v.get_bool()) return fail(Errc::invalid_argument, "sampling (`do_sample`) is not supported for text2text tasks; use greedy or beam search");
    } else if (key == "num_return_sequences") {
      HUB_TRY(i, int_field(v, key, 1, 1));
      (void)i;
    }
  }
  return {};
}

Result<Seq2SeqParams> seq2seq_defaults(const Seq2SeqLM& lm) {
  const auto& c = lm.config();
  Seq2SeqParams p;
  p.decoder_start_token_id = c.decoder_start_token_id;
  p.eos_token_ids = c.eos_token_ids;
  // config.json's generation fields stand in only when generation_config.json is absent.
  const auto& src = c.generation.empty() ? c.raw : c.generation;
  boost::json::object fields;
  for (const char* k : {"max_length", "min_length", "num_beams", "length_penalty", "early_stopping",
                        "no_repeat_ngram_size", "bad_words_ids", "forced_bos_token_id", "forced_eos_token_id",
                        "decoder_start_token_id", "eos_token_id", "max_new_tokens", "min_new_tokens"})
    if (const auto* v = src.if_contains(k)) fields[k] = *v;
  if (auto ok = apply_generation_fields(p, fields, c.vocab_size); !ok)
    return fail(Errc::corrupt, (c.generation.empty() ? "config.json: " : "generation_config.json: ") + ok.error().message);
  return p;
}

namespace {
Result<void> check_params(const Seq2SeqLM& lm, const Seq2SeqParams& p) {
  if (p.stop_length() > lm.config().max_target_tokens)
    return fail(Errc::invalid_argument, "max_length/max_new_tokens allow " + std::to_string(p.stop_length()) +
                                            " tokens, more than this model's " +
                                            std::to_string(lm.config().max_target_tokens));
  if (p.stop_length() < 2) return fail(Errc::invalid_argument, "`max_length` leaves no room to generate");
  for (int32_t e : p.eos_token_ids)
    if (e < 0 || e >= lm.config().vocab_size) return fail(Errc::invalid_argument, "eos_token_id out of range");
  return {};
}
}  // namespace

Result<std::vector<int32_t>> seq2seq_generate(const Seq2SeqLM& lm, std::span<const int32_t> source,
                                              const Seq2SeqParams& p) {
  if (auto ok = check_params(lm, p); !ok) return std::unexpected(ok.error());
  HUB_TRY(src, lm.encode(source));
  if (p.num_beams <= 1) return greedy(lm, std::move(src), p);
  return beam_search(lm, std::move(src), p);
}

Result<std::vector<std::vector<int32_t>>> seq2seq_generate_batch(const Seq2SeqLM& lm,
                                                                 std::span<const std::vector<int32_t>> sources,
                                                                 const Seq2SeqParams& p) {
  std::vector<std::vector<int32_t>> out;
  if (p.num_beams > 1 || sources.size() < 2) {
    for (const auto& s : sources) {
      HUB_TRY(ids, seq2seq_generate(lm, s, p));
      out.push_back(std::move(ids));
    }
    return out;
  }
  if (auto ok = check_params(lm, p); !ok) return std::unexpected(ok.error());
  const int64_t V = lm.config().vocab_size;
  std::vector<std::vector<int32_t>> seqs(sources.size(), std::vector<int32_t>{p.decoder_start_token_id});
  std::vector<Seq2SeqState> states;
  for (const auto& s : sources) {
    HUB_TRY(src, lm.encode(s));
    states.push_back(lm.new_state(std::move(src)));
  }
  std::vector<bool> done(sources.size(), false);
  std::vector<double> sc(static_cast<size_t>(V));
  while (true) {
    std::vector<size_t> live;
    std::vector<int32_t> last;
    std::vector<Seq2SeqState*> sp;
    for (size_t i = 0; i < seqs.size(); ++i)
      if (!done[i]) live.push_back(i), last.push_back(seqs[i].back()), sp.push_back(&states[i]);
    if (live.empty()) break;
    HUB_TRY(logits, lm.decode_step(last, sp));
    for (size_t r = 0; r < live.size(); ++r) {
      auto& seq = seqs[live[r]];
      for (int64_t v = 0; v < V; ++v) sc[size_t(v)] = logits.data()[int64_t(r) * V + v];
      process(seq, sc.data(), V, p);
      const int32_t tok = int32_t(std::max_element(sc.begin(), sc.end()) - sc.begin());
      seq.push_back(tok);
      if (is_eos(p, tok) || int64_t(seq.size()) >= p.stop_length()) done[live[r]] = true;
    }
  }
  for (auto& s : seqs) out.emplace_back(s.begin() + 1, s.end());
  return out;
}

}  // namespace hub::inference::pipelines
