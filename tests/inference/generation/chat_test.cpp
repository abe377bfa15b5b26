// Chat on the real stories260K Llama with a chat template written here (the shared model ships
// none): the prompt is the template's rendering tokenized without extra special tokens, the
// OpenAI fields map onto the generation parameters as TGI maps them, errors carry TGI's
// error_type, and the conversational task answers what generate() answers for the same prompt.
#include "inference/pipelines/chat_completion.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/fs.h"
#include "core/json.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/tokenizers/tokenizer.h"
#include "shared_dir.h"

namespace hub::inference {
namespace {

namespace fsys = std::filesystem;
namespace bj = boost::json;

constexpr const char* kTemplate =
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}[{{ m['content'] | trim }}]\n"
    "{% elif m['role'] == 'user' %}Q: {{ m['content'] }}\n{% elif m['role'] == 'assistant' %}A: {{ m['content'] }}"
    "{{ eos_token }}\n{% else %}{{ raise_exception('unknown role ' + m['role']) }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}A:{% endif %}";

struct Chat : ::testing::Test {
  fsys::path dir;
  std::shared_ptr<const Model> model, plain;
  void SetUp() override {
    fsys::path src = hub::testing::shared_dir() / "models" / "stories260K";
    if (!fsys::exists(src / "model.safetensors"))
      GTEST_SKIP() << "stories260K absent: expected " << src.string() << " (set HUBD_SHARED_DIR)";
    dir = fsys::temp_directory_path() / ("hubd-chat-test-" + std::to_string(::getpid()));
    fsys::create_directories(dir);
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json"})
      fsys::copy_file(src / f, dir / f, fsys::copy_options::overwrite_existing);
    auto cfg = fs::read_file((src / "tokenizer_config.json").string());
    ASSERT_TRUE(cfg);
    auto doc = json::parse(*cfg);
    ASSERT_TRUE(doc && doc->is_object());
    auto tc = doc->get_object();
    tc["chat_template"] = kTemplate;
    ASSERT_TRUE(fs::write_file_atomic((dir / "tokenizer_config.json").string(), bj::serialize(tc)));
    auto m = load_model(dir.string());
    ASSERT_TRUE(m) << m.error().message;
    model = *m;
    auto p = load_model(src.string());
    ASSERT_TRUE(p) << p.error().message;
    plain = *p;
  }
  void TearDown() override {
    if (!dir.empty()) fsys::remove_all(dir);
  }
  static bj::object body(std::string_view text) { return bj::parse(text).as_object(); }
};

TEST_F(Chat, PromptIsTheRenderedTemplateWithoutExtraSpecialTokens) {
  ASSERT_NE(model->chat_template(), nullptr);
  auto req = pipelines::prepare_chat(*model, body(R"({"messages":[{"role":"system","content":" Be brief. "},
      {"role":"user","content":"Who is Lily?"}],"max_tokens":12})"));
  ASSERT_TRUE(req) << req.error().message;
  EXPECT_EQ(req->prompt_text, "<s>[Be brief.]\nQ: Who is Lily?\nA:");
  auto enc = model->causal_lm()->tokenizer()->encode(req->prompt_text, false);
  ASSERT_TRUE(enc);
  EXPECT_EQ(req->prompt, enc->ids);
  EXPECT_EQ(req->prompt.front(), 1);  // the template's BOS, once
  EXPECT_NE(req->prompt.at(1), 1);
  EXPECT_EQ(req->params.max_new_tokens, 12);
  EXPECT_FALSE(req->params.do_sample);
}

TEST_F(Chat, OpenAIFieldsMapOntoGenerationParams) {
  auto req = pipelines::prepare_chat(*model, body(R"({"messages":[{"role":"user","content":"hi"}],
      "temperature":0.7,"top_p":0.9,"seed":5,"stop":"\n","stream":true,"stream_options":{"include_usage":true}})"));
  ASSERT_TRUE(req) << req.error().message;
  EXPECT_TRUE(req->params.do_sample);
  EXPECT_DOUBLE_EQ(req->params.temperature, 0.7);
  EXPECT_DOUBLE_EQ(req->params.top_p, 0.9);
  EXPECT_EQ(req->params.seed, 5u);
  EXPECT_EQ(req->params.stop, std::vector<std::string>{"\n"});
  EXPECT_TRUE(req->stream && req->include_usage);
  // No max_tokens: the spec's 1024, capped to the context the prompt leaves (512 here).
  EXPECT_EQ(req->params.max_new_tokens, model->causal_lm()->config().max_positions - int64_t(req->prompt.size()));
  auto greedy = pipelines::prepare_chat(*model, body(R"({"messages":[{"role":"user","content":"hi"}],"temperature":0,"top_p":1})"));
  ASSERT_TRUE(greedy);
  EXPECT_FALSE(greedy->params.do_sample);  // temperature 0 is greedy, top_p 1 is off
}

TEST_F(Chat, BadRequestsAreValidationOrTemplateErrors) {
  auto err = [&](std::string_view text, std::string_view type) {
    auto r = pipelines::prepare_chat(*model, body(text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << text;
    EXPECT_EQ(detail_name(r.error().detail), type) << text << ": " << r.error().message;
  };
  err(R"({"model":"x"})", "validation");
  err(R"({"messages":"hi"})", "validation");
  err(R"({"messages":[]})", "validation");
  err(R"({"messages":[{"content":"no role"}]})", "validation");
  err(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":100000})", "validation");
  err(R"({"messages":[{"role":"user","content":"hi"}],"n":2})", "validation");
  err(R"({"messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]})", "validation");
  err(R"({"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}})", "validation");
  err(R"({"messages":[{"role":"robot","content":"beep"}]})", "template_error");  // raise_exception
  auto none = pipelines::prepare_chat(*plain, body(R"({"messages":[{"role":"user","content":"hi"}]})"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().detail, Detail::TgiTemplateError);
  EXPECT_EQ(none.error().message, "Template error: template not found");
}

TEST_F(Chat, ConversationalAnswersWhatGenerateAnswers) {
  bj::object params{{"max_new_tokens", 16}};
  auto legacy = pipelines::conversational(
      *model, bj::parse(R"({"text":"And then?","past_user_inputs":["Who is Lily?"],"generated_responses":["A girl."]})"),
      &params);
  ASSERT_TRUE(legacy) << legacy.error().message;
  // The same turns as messages, rendered and generated by hand.
  auto msgs = bj::parse(R"([{"role":"user","content":"Who is Lily?"},{"role":"assistant","content":"A girl."},
                             {"role":"user","content":"And then?"}])").as_array();
  auto prompt = pipelines::render_chat_prompt(*model, msgs, nullptr);
  ASSERT_TRUE(prompt);
  pipelines::GenerationParams gp;
  gp.max_new_tokens = 16;
  gp.eos_token_ids = model->causal_lm()->config().eos_token_ids;
  auto out = pipelines::generate(*model->causal_lm(), *prompt, gp);
  ASSERT_TRUE(out);
  // The reply as the stream hands it out: decoded after the prompt, so the leading space the
  // first token carries in context is kept.
  std::vector<int32_t> all(prompt->begin(), prompt->end());
  all.insert(all.end(), out->tokens.begin(), out->tokens.end());
  auto before = model->causal_lm()->tokenizer()->decode(*prompt, true);
  auto after = model->causal_lm()->tokenizer()->decode(all, true);
  ASSERT_TRUE(before && after);
  auto want = std::optional<std::string>(after->substr(before->size()));
  const auto& o = legacy->as_object();
  EXPECT_EQ(o.at("generated_text").as_string(), *want);
  EXPECT_EQ(o.at("conversation").at("past_user_inputs"), bj::parse(R"(["Who is Lily?","And then?"])"));
  EXPECT_EQ(o.at("conversation").at("generated_responses").as_array().back().as_string(), *want);

  auto modern = pipelines::conversational(*model, bj::value(msgs), &params);
  ASSERT_TRUE(modern) << modern.error().message;
  const auto& turns = modern->as_array().at(0).at("generated_text").as_array();
  ASSERT_EQ(turns.size(), 4u);
  EXPECT_EQ(turns.back(), (bj::object{{"role", "assistant"}, {"content", *want}}));
  EXPECT_TRUE(pipelines::is_chat_input(bj::value(msgs)));
  EXPECT_FALSE(pipelines::is_chat_input(bj::value("Once upon a time")));
  EXPECT_FALSE(pipelines::is_chat_input(bj::parse(R"(["a","b"])")));
}

}  // namespace
}  // namespace hub::inference
