// Our own behaviour of the chat-template engine: loading from tokenizer_config.json,
// apply()'s variables, error kinds and positions, the Python Jinja extras the reference
// lacks, and the render limits.
#include <gtest/gtest.h>

#include "core/json.h"
#include "inference/chat/chat_template.h"

using namespace hub::inference::chat;
using hub::Errc;

namespace {

boost::json::object obj(std::string_view text) {
  auto v = hub::json::parse(text);
  EXPECT_TRUE(v && v->is_object()) << text;
  return v ? v->get_object() : boost::json::object{};
}

hub::Result<std::string> render(std::string_view source, std::string_view context = "{}", RenderLimits limits = {}) {
  auto t = Template::parse(source);
  if (!t) return std::unexpected(t.error());
  return t->render(obj(context), limits, 86400 * 365);  // 1971-01-01
}

std::string ok(std::string_view source, std::string_view context = "{}") {
  auto r = render(source, context);
  EXPECT_TRUE(r.has_value()) << source << ": " << r.error().message;
  return r ? *r : "<error>";
}

const char* kMessages = R"([{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}])";

}  // namespace

TEST(ChatTemplateTest, LoadsStringTemplateAndAddedTokenObjects) {
  auto chat = load_chat_template(obj(R"({"chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}{{ unk_token }}{{ pad_token is defined }}",
    "bos_token": {"content": "<s>", "lstrip": false, "__type": "AddedToken"}, "eos_token": "</s>", "unk_token": {"content": "<unk>"}})"));
  ASSERT_TRUE(chat.has_value()) << chat.error().message;
  auto messages = hub::json::parse(kMessages)->get_array();
  auto out = apply(*chat, messages, {});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, "<s>hi</s>yo</s><unk>false");
}

TEST(ChatTemplateTest, PicksNamedTemplatesFromTheListForm) {
  auto chat = load_chat_template(obj(R"({"chat_template": [
    {"name": "default", "template": "D{{ tools is none }}"},
    {"name": "tool_use", "template": "T{{ tools | length }}"},
    {"name": "rag", "template": "R{{ documents | length }}"}]})"));
  ASSERT_TRUE(chat.has_value());
  auto messages = boost::json::array{};
  EXPECT_EQ(apply(*chat, messages, {}).value(), "Dtrue");
  ChatOptions with_tools;
  with_tools.tools = boost::json::array{boost::json::object{{"name", "f"}}};
  EXPECT_EQ(apply(*chat, messages, with_tools).value(), "T1");
  ChatOptions rag;
  rag.template_name = "rag";
  rag.documents = boost::json::array{1, 2};
  EXPECT_EQ(apply(*chat, messages, rag).value(), "R2");
  ChatOptions missing;
  missing.template_name = "nope";
  EXPECT_EQ(apply(*chat, messages, missing).error().code, Errc::not_found);

  auto no_default = load_chat_template(obj(R"({"chat_template": [{"name": "a", "template": "x"}]})"));
  ASSERT_TRUE(no_default.has_value());
  EXPECT_EQ(apply(*no_default, messages, {}).error().code, Errc::invalid_argument);
}

TEST(ChatTemplateTest, NoTemplateIsUnsupportedNotInvented) {
  auto chat = load_chat_template(obj(R"({"bos_token": "<s>"})"));
  ASSERT_FALSE(chat.has_value());
  EXPECT_EQ(chat.error().code, Errc::unsupported);
  EXPECT_NE(chat.error().message.find("no chat template"), std::string::npos);
  EXPECT_EQ(load_chat_template(obj(R"({"chat_template": 5})")).error().code, Errc::invalid_argument);
  EXPECT_EQ(load_chat_template(obj(R"({"chat_template": [{"name": 1}]})")).error().code, Errc::invalid_argument);
}

TEST(ChatTemplateTest, ExtraVariablesAndProtectedNames) {
  auto chat = load_chat_template(obj(R"({"chat_template": "{{ bos_token }}|{{ date_string }}|{{ add_generation_prompt }}", "bos_token": "<s>"})"));
  ASSERT_TRUE(chat.has_value());
  ChatOptions o;
  o.extra = obj(R"({"date_string": "26 Nov 2026", "bos_token": "[B]"})");
  o.add_generation_prompt = true;
  EXPECT_EQ(apply(*chat, {}, o).value(), "[B]|26 Nov 2026|true");
  o.extra = obj(R"({"messages": []})");
  EXPECT_EQ(apply(*chat, {}, o).error().code, Errc::invalid_argument);
}

TEST(ChatTemplateTest, RaiseExceptionGivesTheMessage) {
  auto r = render("{% if messages | length > 1 %}{{ raise_exception('Only one message, please') }}{% endif %}",
                  std::string(R"({"messages": )") + kMessages + "}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_EQ(r.error().message, "Only one message, please");
  EXPECT_EQ(r.error().detail, hub::Detail::TemplateError);
}

TEST(ChatTemplateTest, SyntaxErrorsNameLineAndColumn) {
  auto r = render("line one\n{{ 'ok' }}\n  {% if x %}\n{% endfor %}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("line 4, column 4"), std::string::npos) << r.error().message;
  r = render("{{ a ; b }}");
  EXPECT_NE(r.error().message.find("line 1, column 6"), std::string::npos) << r.error().message;
  r = render("{% for x in y %}");
  EXPECT_NE(r.error().message.find("endfor"), std::string::npos) << r.error().message;
}

TEST(ChatTemplateTest, PythonJinjaExtras) {
  EXPECT_EQ(ok("{{ 6 is divisibleby(3) }}{{ 7 is divisibleby 3 }}{{ none is sameas none }}{{ 1 is sameas true }}"),
            "truefalsetruefalse");
  EXPECT_EQ(ok("{{ 2 is in([1, 2]) }}{{ 1 is equalto(1) }}{{ 1 is ne 2 }}"), "truetruetrue");
  EXPECT_EQ(ok("{{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(0, 'ceil') }} {{ 3 | round }}"),
            "2.57 3.0 3.0 3.0");
  EXPECT_EQ(ok("{{ missing | d('x') }}{{ missing | default }}|{{ [1, 2] | count }}{{ 'abc' | count }}"), "x|23");
  EXPECT_EQ(ok("{{ 'abc' | first }}{{ 'abc' | last }}{{ 'ab' | list }}{{ 'abc' | reverse }}{{ {'a': 1} | list }}"),
            R"(ac["a", "b"]cba["a"])");
  EXPECT_EQ(ok("[{{ 'xxhixx'.strip('x') }}][{{ '--a--' | trim('-') }}][{{ 'ab  '.rstrip() }}]"), "[hi][a][ab]");
  EXPECT_EQ(ok("{{ strftime_now('%Y-%m-%d %b %B %%') }}"), "1971-01-01 Jan January %");
  EXPECT_EQ(ok("{{ ['a', 'code', 'b'] | reject('equalto', 'code') | join(', ') }}|{{ [1, 2, 3, 4] | select('even') | list }}"
               "|{{ [' x ', 'y '] | map('trim') | join }}"),
            "a, b|[2, 4]|xy");
}

TEST(ChatTemplateTest, NumbersPrintLikeTheReference) {
  EXPECT_EQ(ok("{{ 2.0 ** 70 }} {{ 1 / 3 }} {{ 0.000001 }} {{ 1 / 10000000 }} {{ -0.0 }}"),
            "1.1805916207174113e+21 0.3333333333333333 0.000001 1e-7 -0.0");
  EXPECT_EQ(ok("{{ [1.0, 2.5] | tojson }} {{ 10 / 4 }} {{ 9007199254740993 }}"), "[1, 2.5] 2.5 9007199254740993");
  auto r = render("{{ 9223372036854775807 + 1 }}");
  EXPECT_FALSE(r.has_value());
}

TEST(ChatTemplateTest, MacrosSeeTheirCallerScopeAndRecursionIsBounded) {
  EXPECT_EQ(ok("{% macro f() %}{{ x }}{% endmacro %}{% set x = 'outer' %}{{ f() }}"), "outer");
  EXPECT_EQ(ok("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n }}*{{ fact(n - 1) }}{% endif %}{% endmacro %}{{ fact(4) }}"),
            "4*3*2*1");
  auto r = render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::too_large);
  // A caller() smuggled out of its call block fails cleanly.
  r = render("{% set ns = namespace() %}{% macro keep() %}{% set ns.c = caller %}{% endmacro %}"
             "{% call keep() %}body{% endcall %}{{ ns.c() }}");
  EXPECT_EQ(ok("{% macro w() %}[{{ caller() }}]{% endmacro %}{% call w() %}in{% endcall %}"), "[in]");
}

TEST(ChatTemplateTest, HostileTemplatesHitLimits) {
  RenderLimits small;
  small.max_output_bytes = 1 << 16;
  small.max_steps = 200'000;
  // Exponential string growth.
  auto r = render("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
                  "{}", small);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::too_large);
  // A huge range, and nested loops that would run forever in practice.
  EXPECT_EQ(render("{% for i in range(1000000000000) %}{% endfor %}", "{}", small).error().code, Errc::too_large);
  EXPECT_EQ(render("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
                   "{}", small).error().code, Errc::too_large);
  // Output cap on plain text repetition.
  EXPECT_EQ(render("{% for i in range(100000) %}0123456789{% endfor %}", "{}", small).error().code, Errc::too_large);
  EXPECT_EQ(render("{{ 'ab' | replace('', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') | replace('', 'yyyyyyyyyyyyyyyyyyyyyy') | replace('', 'zzzzzzzzzzzzzzzzzzzzzzzz') }}",
                   "{}", small).error().code, Errc::too_large);
  // Many big distinct strings kept alive, and a big list printed.
  RenderLimits total = small;
  total.max_total_bytes = 1 << 20;
  EXPECT_EQ(render("{% set ns = namespace(l=[], big='x') %}{% for i in range(9) %}{% set ns.big = ns.big ~ ns.big %}{% endfor %}"
                   "{% for i in range(5000) %}{% set ns.l = ns.l + [ns.big ~ i] %}{% endfor %}", "{}", total).error().code,
            Errc::too_large);
  EXPECT_EQ(render("{% set ns = namespace(s='y', l=[]) %}{% for i in range(12) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
                   "{% for i in range(100) %}{% set ns.l = ns.l + [ns.s] %}{% endfor %}{{ ns.l }}", "{}", small).error().code,
            Errc::too_large);
  EXPECT_EQ(render("{% set ns = namespace(l=[]) %}{% for i in range(3000) %}{% set ns.l = ns.l + [i] %}{% endfor %}"
                   "{{ ns.l | unique | length }}", "{}", small).error().code,
            Errc::too_large);
  // List doubling.
  EXPECT_EQ(render("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}", "{}", small)
                .error().code, Errc::too_large);
}

TEST(ChatTemplateTest, NamespaceCyclesAreFreed) {
  // Under ASan/LSan this leaks if the render does not break the cycle.
  EXPECT_EQ(ok("{% set ns = namespace(items=[]) %}{% set ns.self = ns %}{% set ns.items = [ns, {'n': ns}] %}"
               "{{ ns.self.self.items | length }}"),
            "2");
}

TEST(ChatTemplateTest, RendersConcurrentlyFromOneTemplate) {
  auto chat = load_chat_template(obj(R"({"chat_template": "{% for m in messages %}<{{ m.role }}>{{ m.content | upper }}{% endfor %}"})"));
  ASSERT_TRUE(chat.has_value());
  auto messages = hub::json::parse(kMessages)->get_array();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (apply(*chat, messages, {}).value_or("") == "<user>HI<assistant>YO") ++good;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 800);
}
