// The continuous-batching GenerationEngine (runtime/generation_engine.h) on the tiny torch
// decoders and the real stories260K: concurrent requests with different prompts, lengths and
// sampling params give exactly what pipelines::generate() gives one by one; the slot limit
// makes later requests wait (not fail); a full queue is refused; a consumer that declines a
// token or a cancelled ticket frees the slot; stop() fails the waiting requests and lets the
// running ones finish; the registry's engines follow their model's lifetime.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "core/json.h"
#include "decoder_fixtures.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/pipelines/generation.h"
#include "inference/runtime/generation_engine.h"
#include "inference/tokenizers/tokenizer.h"
#include "shared_dir.h"

namespace hub::inference {
namespace {

using pipelines::GenerationOutput;
using pipelines::GenerationParams;
using runtime::GenerationEngine;
using runtime::GenerationEngineOptions;

std::shared_ptr<const CausalLM> tiny(const std::string& name) {
  const std::string root = fixtures_dir();
  if (root.empty() || root == "!") return nullptr;
  auto m = load_causal_lm(root + "/" + name);
  return m ? *m : nullptr;
}

// A gate the engine thread can be held at (inside a token callback) until the test opens it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool reached = false, open = false;
  void hold() {
    std::unique_lock lk(mu);
    reached = true;
    cv.notify_all();
    cv.wait(lk, [&] { return open; });
  }
  void wait_reached() {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return reached; });
  }
  void release() {
    std::lock_guard lk(mu);
    open = true;
    cv.notify_all();
  }
};

struct Case {
  std::vector<int32_t> prompt;
  GenerationParams params;
};

// Different prompt lengths, max_new_tokens, and every sampling control, each with its seed.
std::vector<Case> mixed_cases(int32_t vocab) {
  std::vector<Case> cs;
  auto prompt = [&](int n, int32_t start) {
    std::vector<int32_t> p;
    for (int i = 0; i < n; ++i) p.push_back((start + 7 * i) % vocab);
    return p;
  };
  GenerationParams greedy;
  greedy.max_new_tokens = 24;
  cs.push_back({prompt(3, 5), greedy});
  GenerationParams hot;
  hot.max_new_tokens = 17;
  hot.do_sample = true;
  hot.temperature = 1.7;
  hot.seed = 11;
  cs.push_back({prompt(9, 2), hot});
  GenerationParams topk = hot;
  topk.temperature = 0.8, topk.top_k = 5, topk.top_p = 0.9, topk.seed = 12345, topk.max_new_tokens = 30;
  cs.push_back({prompt(5, 40), topk});
  GenerationParams typical = hot;
  typical.typical_p = 0.7, typical.seed = 3, typical.max_new_tokens = 9;
  cs.push_back({prompt(12, 1), typical});
  GenerationParams rep = greedy;
  rep.repetition_penalty = 1.8, rep.max_new_tokens = 20;
  cs.push_back({prompt(2, 9), rep});
  GenerationParams one = greedy;
  one.max_new_tokens = 1;
  cs.push_back({prompt(7, 3), one});
  GenerationParams none = greedy;
  none.max_new_tokens = 0;
  cs.push_back({prompt(4, 8), none});
  GenerationParams same = topk;  // same prompt and params as #2, another seed
  same.seed = 999;
  cs.push_back({prompt(5, 40), same});
  return cs;
}

class Engine : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const CausalLM> lm;
  void SetUp() override {
    ASSERT_NE(fixtures_dir(), "!") << "make_decoder_fixtures.py failed";
    lm = tiny(GetParam());
    if (!lm) GTEST_SKIP() << "torch fixtures absent (needs /usr/bin/python3 with torch)";
  }
};

TEST_P(Engine, ConcurrentRequestsEqualSequentialGenerate) {
  auto cases = mixed_cases(int32_t(lm->config().vocab_size));
  // An EOS case: the greedy run's 6th token declared EOS ends it there.
  {
    auto g = pipelines::generate(*lm, cases[0].prompt, cases[0].params);
    ASSERT_TRUE(g);
    Case eos = cases[0];
    eos.params.eos_token_ids = {g->tokens[5]};
    cases.push_back(eos);
  }
  std::vector<GenerationOutput> expected;
  for (const auto& c : cases) {
    auto g = pipelines::generate(*lm, c.prompt, c.params);
    ASSERT_TRUE(g) << g.error().message;
    expected.push_back(*g);
  }
  EXPECT_EQ(expected.back().finish_reason, "eos_token");
  // Fewer slots than requests, and a prefill chunk shorter than the longest prompts.
  GenerationEngine engine(lm, GenerationEngineOptions{.slots = 4, .max_queue = 16, .prefill_chunk = 8});
  std::vector<std::promise<Result<GenerationOutput>>> done(cases.size());
  std::vector<std::vector<int32_t>> streamed(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    auto t = engine.submit(cases[i].prompt, cases[i].params,
                           [&, i](int32_t tok) {
                             streamed[i].push_back(tok);
                             return true;
                           },
                           [&, i](Result<GenerationOutput> r) { done[i].set_value(std::move(r)); });
    ASSERT_TRUE(t) << t.error().message;
  }
  size_t peak = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto r = done[i].get_future().get();
    ASSERT_TRUE(r) << i << ": " << r.error().message;
    EXPECT_EQ(r->tokens, expected[i].tokens) << "request " << i;
    EXPECT_EQ(r->finish_reason, expected[i].finish_reason) << "request " << i;
    if (cases[i].params.seed) EXPECT_EQ(r->seed, *cases[i].params.seed) << "request " << i;
    EXPECT_EQ(streamed[i], r->tokens) << "request " << i;
    peak = std::max(peak, r->batch_size);
  }
  EXPECT_EQ(peak, 4u);  // the slots were shared
  EXPECT_GT(engine.batched_tokens(), engine.steps());
  EXPECT_EQ(engine.running(), 0u);
  EXPECT_EQ(engine.waiting(), 0u);

  // The blocking form from several threads at once: same outputs.
  std::vector<std::thread> ts;
  std::vector<Result<GenerationOutput>> got(cases.size());
  for (size_t i = 0; i < cases.size(); ++i)
    ts.emplace_back([&, i] { got[i] = engine.generate(cases[i].prompt, cases[i].params); });
  for (auto& t : ts) t.join();
  for (size_t i = 0; i < cases.size(); ++i) {
    ASSERT_TRUE(got[i]);
    EXPECT_EQ(got[i]->tokens, expected[i].tokens) << "request " << i;
  }
}

TEST_P(Engine, LaterRequestsWaitForAFreeSlot) {
  GenerationEngine engine(lm, GenerationEngineOptions{.slots = 2, .max_queue = 4});
  std::mutex mu;
  std::vector<std::string> log;  // "tN" first token of N, "dN" done
  std::vector<bool> started(3, false);
  size_t most_running = 0;
  std::vector<std::promise<Result<GenerationOutput>>> done(3);
  // Request 0 holds the engine at its first token until all three are queued, so the order
  // below does not depend on how fast the tiny model runs.
  Gate gate;
  GenerationParams p;
  p.max_new_tokens = 12;
  for (int i = 0; i < 3; ++i) {
    p.max_new_tokens = 12 + 6 * i;
    auto t = engine.submit({int32_t(3 + i), 4, 5}, p,
                           [&, i](int32_t) {
                             bool first = false;
                             {
                               std::lock_guard lk(mu);
                               if (!started[size_t(i)]) log.push_back("t" + std::to_string(i)), first = true;
                               started[size_t(i)] = true;
                               most_running = std::max(most_running, engine.running());
                             }
                             if (i == 0 && first) gate.hold();
                             return true;
                           },
                           [&, i](Result<GenerationOutput> r) {
                             {
                               std::lock_guard lk(mu);
                               log.push_back("d" + std::to_string(i));
                             }
                             done[size_t(i)].set_value(std::move(r));
                           });
    ASSERT_TRUE(t) << "the third request waits, it is not refused";
    if (i == 0) gate.wait_reached();
  }
  gate.release();
  for (int i = 0; i < 3; ++i) {
    auto r = done[size_t(i)].get_future().get();
    ASSERT_TRUE(r);
    EXPECT_EQ(int64_t(r->tokens.size()), 12 + 6 * i);
  }
  EXPECT_LE(most_running, 2u);
  // The third request's first token comes only after the first one finished.
  auto at = [&](const std::string& e) { return std::find(log.begin(), log.end(), e) - log.begin(); };
  EXPECT_LT(at("d0"), at("t2"));
  EXPECT_LT(at("t1"), at("d0"));  // while the second shared the batch from the start
}

TEST_P(Engine, FullQueueIsRefusedAndStopFailsTheWaiting) {
  auto engine = std::make_unique<GenerationEngine>(lm, GenerationEngineOptions{.slots = 1, .max_queue = 2});
  Gate gate;
  GenerationParams p;
  p.max_new_tokens = 10;
  std::promise<Result<GenerationOutput>> first;
  int seen = 0;
  auto t0 = engine->submit({1, 2, 3}, p,
                           [&](int32_t) {
                             if (++seen == 2) gate.hold();  // the engine thread waits here
                             return true;
                           },
                           [&](Result<GenerationOutput> r) { first.set_value(std::move(r)); });
  ASSERT_TRUE(t0);
  gate.wait_reached();  // request 0 holds the only slot
  std::vector<std::promise<Result<GenerationOutput>>> queued(2);
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(engine->submit({4, 5}, p, {}, [&, i](Result<GenerationOutput> r) { queued[size_t(i)].set_value(std::move(r)); }));
  EXPECT_EQ(engine->waiting(), 2u);
  auto over = engine->submit({4, 5}, p, {}, {});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::conflict);
  EXPECT_EQ(over.error().detail, Detail::Overloaded);
  // Bad input is refused at submit, before it takes a place.
  GenerationParams huge = p;
  huge.max_new_tokens = 1'000'000'000;
  auto bad = engine->submit({4, 5}, huge, {}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);

  // Stop while request 0 is mid-generation: the queued ones fail, request 0 runs to its end.
  engine->stop();
  auto late = engine->submit({4, 5}, p, {}, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().detail, Detail::Unloaded);
  gate.release();
  for (auto& q : queued) {
    auto r = q.get_future().get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().detail, Detail::Unloaded);
  }
  auto r0 = first.get_future().get();
  ASSERT_TRUE(r0);
  EXPECT_EQ(r0->tokens.size(), 10u);
  auto expected = pipelines::generate(*lm, std::vector<int32_t>{1, 2, 3}, p);
  ASSERT_TRUE(expected);
  EXPECT_EQ(r0->tokens, expected->tokens);
  engine.reset();  // joins; nothing left running
}

TEST_P(Engine, DeclinedTokenAndCancelledTicketFreeTheSlot) {
  GenerationEngine engine(lm, GenerationEngineOptions{.slots = 1, .max_queue = 4});
  GenerationParams p;
  p.max_new_tokens = 40;
  // A consumer that leaves after 3 tokens (a client gone): the next request gets the slot.
  std::promise<Result<GenerationOutput>> a, b;
  int n = 0;
  ASSERT_TRUE(engine.submit({1, 2}, p, [&](int32_t) { return ++n < 3; },
                            [&](Result<GenerationOutput> r) { a.set_value(std::move(r)); }));
  ASSERT_TRUE(engine.submit({3, 4}, p, {}, [&](Result<GenerationOutput> r) { b.set_value(std::move(r)); }));
  auto ra = a.get_future().get();
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->tokens.size(), 3u);
  EXPECT_EQ(ra->finish_reason, "length");
  auto rb = b.get_future().get();
  ASSERT_TRUE(rb);
  EXPECT_EQ(rb->tokens.size(), 40u);

  // A ticket cancelled mid-generation, and one cancelled while still waiting.
  Gate gate;
  std::promise<Result<GenerationOutput>> c, d;
  int m = 0;
  auto tc = engine.submit({5, 6}, p,
                          [&](int32_t) {
                            if (++m == 4) gate.hold();
                            return true;
                          },
                          [&](Result<GenerationOutput> r) { c.set_value(std::move(r)); });
  ASSERT_TRUE(tc);
  gate.wait_reached();
  auto td = engine.submit({7, 8}, p, [](int32_t) { return true; },
                          [&](Result<GenerationOutput> r) { d.set_value(std::move(r)); });
  ASSERT_TRUE(td);
  (*td)->cancel();
  (*tc)->cancel();
  gate.release();
  auto rc = c.get_future().get();
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->tokens.size(), 4u);
  auto rd = d.get_future().get();
  ASSERT_TRUE(rd);
  EXPECT_TRUE(rd->tokens.empty());

  // The blocking form: a callback returning false ends the output with that token, as generate().
  std::vector<int32_t> seen;
  auto g = engine.generate(std::vector<int32_t>{1, 2}, p, [&](int32_t t) {
    seen.push_back(t);
    return seen.size() < 5;
  });
  ASSERT_TRUE(g);
  EXPECT_EQ(g->tokens, seen);
  EXPECT_EQ(seen.size(), 5u);
  auto ref = pipelines::generate(*lm, std::vector<int32_t>{1, 2}, p);
  ASSERT_TRUE(ref);
  EXPECT_EQ(std::vector<int32_t>(ref->tokens.begin(), ref->tokens.begin() + 5), seen);
  EXPECT_EQ(engine.running(), 0u);
}

TEST_P(Engine, LongPromptIsPrefilledInChunksBetweenDecodeSteps) {
  // prefill_chunk 8: a 32-token prompt takes 4 iterations, and the running sequence gets a
  // token at each of them instead of waiting for the whole prompt.
  GenerationEngine engine(lm, GenerationEngineOptions{.slots = 2, .max_queue = 4, .prefill_chunk = 8});
  GenerationParams p;
  p.max_new_tokens = 12;
  Gate gate;
  std::mutex mu;
  int a_tokens = 0, a_before_b = -1;
  std::promise<Result<GenerationOutput>> a, b;
  ASSERT_TRUE(engine.submit({1, 2, 3}, p,
                            [&](int32_t) {
                              int n;
                              {
                                std::lock_guard lk(mu);
                                n = ++a_tokens;
                              }
                              if (n == 2) gate.hold();
                              return true;
                            },
                            [&](Result<GenerationOutput> r) { a.set_value(std::move(r)); }));
  gate.wait_reached();
  std::vector<int32_t> long_prompt;
  for (int i = 0; i < 32; ++i) long_prompt.push_back(int32_t((5 + 3 * i) % lm->config().vocab_size));
  GenerationParams pb;
  pb.max_new_tokens = 6;
  ASSERT_TRUE(engine.submit(long_prompt, pb,
                            [&](int32_t) {
                              std::lock_guard lk(mu);
                              if (a_before_b < 0) a_before_b = a_tokens;
                              return true;
                            },
                            [&](Result<GenerationOutput> r) { b.set_value(std::move(r)); }));
  gate.release();
  auto ra = a.get_future().get();
  auto rb = b.get_future().get();
  ASSERT_TRUE(ra && rb);
  EXPECT_GE(a_before_b - 2, 3) << "the running sequence decoded while the long prompt was prefilled";
  // Chunked prefill gives the same continuation as generate()'s single prefill.
  auto ref = pipelines::generate(*lm, long_prompt, pb);
  ASSERT_TRUE(ref);
  EXPECT_EQ(rb->tokens, ref->tokens);
  auto refa = pipelines::generate(*lm, std::vector<int32_t>{1, 2, 3}, p);
  ASSERT_TRUE(refa);
  EXPECT_EQ(ra->tokens, refa->tokens);
}

INSTANTIATE_TEST_SUITE_P(Tiny, Engine, ::testing::Values("llama_gqa", "qwen2_bias", "gpt2_tiny"));

// The registry: one engine per model; a model's engine lives while anyone (the cache, a
// running request) holds the model, and is stopped at the next lookup once nobody does.
TEST(GenerationEngines, EngineFollowsTheModelsLifetime) {
  auto lm = tiny("llama_gqa");
  if (!lm) GTEST_SKIP() << "torch fixtures absent";
  auto lm2 = tiny("gpt2_tiny");
  ASSERT_TRUE(lm2);
  ModelConfig cfg;
  cfg.model_type = "llama";
  std::shared_ptr<const Model> model = std::make_shared<Model>(cfg, lm);
  std::shared_ptr<const Model> other = std::make_shared<Model>(cfg, lm2);
  runtime::GenerationEngines engines(GenerationEngineOptions{.slots = 2});
  auto e = engines.engine_for(model);
  ASSERT_TRUE(e);
  EXPECT_EQ(engines.engine_for(model), e);
  EXPECT_NE(engines.engine_for(other), e);
  EXPECT_EQ(engines.engine_count(), 2u);

  Gate gate;
  std::promise<Result<GenerationOutput>> done;
  GenerationParams p;
  p.max_new_tokens = 6;
  int n = 0;
  ASSERT_TRUE(e->submit({1, 2, 3}, p,
                        [&](int32_t) {
                          if (++n == 2) gate.hold();
                          return true;
                        },
                        [&](Result<GenerationOutput> r) { done.set_value(std::move(r)); }));
  gate.wait_reached();
  std::weak_ptr<const Model> weak = model;
  model.reset();  // evicted from the cache: the running request still holds it
  lm.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_FALSE(e->expired());
  EXPECT_EQ(engines.engine_count(), 2u);
  gate.release();
  auto r = done.get_future().get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tokens.size(), 6u);
  // The request's reference goes right after its on_done; then nothing holds the model.
  for (int i = 0; i < 2000 && !e->expired(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(weak.expired());
  auto late = e->submit({1, 2}, p, {}, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().detail, Detail::Unloaded);
  e.reset();
  engines.engine_for(other);  // the sweep stops the expired engine
  EXPECT_EQ(engines.engine_count(), 1u);
}

// The real model with a tokenizer: streamed text through the engine (several streams at
// once, a stop sequence among them) equals the sequential pipeline's.
TEST(GenerationEngineStories, StreamsThroughTheEngineEqualSequential) {
  const auto dir = (hub::testing::shared_dir() / "models" / "stories260K").string();
  if (!std::filesystem::exists(dir + "/model.safetensors"))
    GTEST_SKIP() << "stories260K absent: expected " << dir << " (set HUBD_SHARED_DIR)";
  auto lm = load_causal_lm(dir);
  ASSERT_TRUE(lm) << lm.error().message;
  GenerationEngine engine(*lm, GenerationEngineOptions{.slots = 3});
  pipelines::Generator gen = [&](std::span<const int32_t> prompt, const GenerationParams& p,
                                 const pipelines::TokenCallback& cb) { return engine.generate(prompt, p, cb); };
  const std::vector<std::pair<const char*, const char*>> reqs{
      {"Zoo", R"({"max_new_tokens":100,"stop":["the park."],"details":true})"},
      {"Once upon a time", R"({"max_new_tokens":60,"temperature":0.9,"top_k":20,"seed":5,"details":true})"},
      {"The cat", R"({"max_new_tokens":40,"top_p":0.8,"seed":77,"repetition_penalty":1.3})"},
      {"Lily", R"({"max_new_tokens":30,"details":true})"}};
  auto run = [&](const pipelines::Generator& g, size_t i) -> std::pair<std::string, std::string> {
    auto s = pipelines::prepare_stream(**lm, boost::json::value(reqs[i].first), *json::parse(reqs[i].second), g);
    if (!s) return {"error: " + s.error().message, ""};
    std::string text;
    auto last = (*s)([&](int32_t, const std::string& t, bool) {
      text += t;
      return true;
    });
    if (!last) return {"error: " + last.error().message, ""};
    return {text, json::serialize(*last)};
  };
  std::vector<std::pair<std::string, std::string>> expected, got(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) expected.push_back(run({}, i));
  std::vector<std::thread> ts;
  for (size_t i = 0; i < reqs.size(); ++i) ts.emplace_back([&, i] { got[i] = run(gen, i); });
  for (auto& t : ts) t.join();
  for (size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(got[i], expected[i]) << reqs[i].first;
    EXPECT_EQ(got[i].first.rfind("error", 0), std::string::npos) << got[i].first;
  }
  EXPECT_NE(expected[0].second.find("stop_sequence"), std::string::npos) << expected[0].second;
  // TextStream::for_prompt (chat: a prompt already tokenized, params already parsed) streams
  // the same text as the TGI request above.
  auto enc = (*lm)->tokenizer()->encode("Zoo", true);
  ASSERT_TRUE(enc);
  auto zoo_params = json::parse(reqs[0].second)->as_object();
  auto parsed = pipelines::parse_generation_params(**lm, &zoo_params, int64_t(enc->ids.size()));
  ASSERT_TRUE(parsed);
  auto fs = pipelines::TextStream::for_prompt(**lm, enc->ids, *parsed);
  ASSERT_TRUE(fs);
  std::string streamed;
  auto out = engine.generate(fs->prompt(), fs->params(), [&](int32_t id) {
    auto piece = fs->push(id);
    if (piece) streamed += piece->text;
    return bool(piece);
  });
  ASSERT_TRUE(out);
  EXPECT_EQ(streamed, expected[0].first);
  // The non-streaming task through the engine: same JSON as without.
  auto params = json::parse(reqs[1].second)->as_object();
  auto a = pipelines::text_generation(**lm, boost::json::value("Once upon a time"), &params);
  auto b = pipelines::text_generation(**lm, boost::json::value("Once upon a time"), &params, gen);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::serialize(*a), json::serialize(*b));
}

}  // namespace
}  // namespace hub::inference
