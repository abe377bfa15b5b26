#include "services/metadata/repo_metadata.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "services/metadata/card_fields.h"
#include "services/metadata/libraries.h"
#include "services/metadata/pipeline_types.h"
#include "services/metadata/tags.h"
#include "services/metadata/transformers_arch.h"
#include "services/metadata/widgets.h"

namespace md = hub::services::metadata;
namespace json = hub::json;

namespace {

const char* kBertReadme = R"(---
language:
- en
- fr
license: Apache-2.0
library_name: transformers
tags:
- exbert
- fill-mask
datasets: [bookcorpus, wikipedia]
base_model: google/bert-base
model-index:
- name: my-bert
  results:
  - task: {type: fill-mask, name: Fill Mask}
    dataset: {type: wikitext, name: WikiText, split: test}
    metrics:
    - {type: perplexity, value: 3.5, name: PPL}
    - {type: accuracy, value: "n/a"}
    source: {name: Leaderboard, url: "https://example.org"}
  - task: {type: fill-mask}
    metrics: [{type: x, value: 1}]
widget:
- text: "Paris is the <mask> of France."
---
# BERT
See [the paper](https://arxiv.org/abs/1810.04805v2) and arxiv.org/pdf/2106.09685.
)";

std::vector<md::RepoFile> files(std::initializer_list<const char*> paths) {
  std::vector<md::RepoFile> out;
  for (auto p : paths) out.push_back({p, 10});
  return out;
}

bool has(const std::vector<std::string>& v, std::string_view x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST(RepoMetadata, DerivesTagsInHubOrder) {
  md::RepoFiles repo;
  repo.readme = kBertReadme;
  std::string config = R"({"architectures":["BertForMaskedLM"],"model_type":"bert"})";
  std::string tok = R"({"mask_token":"[MASK]","chat_template":"{{ messages }}"})";
  repo.config_json = config;
  repo.tokenizer_config_json = tok;
  repo.files = files({"config.json", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack",
                      "model.safetensors", "onnx/model.onnx", "runs/events.out.tfevents.1.host", "README.md",
                      "tokenizer_config.json", "vocab.txt"});
  auto m = md::build_repo_metadata(repo);
  std::vector<std::string> expected = {
      "transformers", "pytorch", "tf", "jax", "safetensors", "onnx", "tensorboard", "bert", "fill-mask", "exbert",
      "conversational", "en", "fr", "dataset:bookcorpus", "dataset:wikipedia", "base_model:google/bert-base",
      "base_model:finetune:google/bert-base", "arxiv:1810.04805", "arxiv:2106.09685", "license:apache-2.0",
      "model-index", "region:us"};
  EXPECT_EQ(m.tags, expected);
  EXPECT_EQ(m.pipeline_tag.value_or(""), "fill-mask");
  EXPECT_TRUE(m.serverless_servable);
}

TEST(RepoMetadata, ParsesModelIndexAndReportsInvalidResults) {
  md::RepoFiles repo;
  repo.readme = kBertReadme;
  auto m = md::build_repo_metadata(repo);
  ASSERT_EQ(m.fields.model_index.size(), 1u);
  const auto& e = m.fields.model_index[0];
  EXPECT_EQ(e.name, "my-bert");
  ASSERT_EQ(e.results.size(), 1u);  // the second result lacks a dataset
  const auto& r = e.results[0];
  EXPECT_EQ(r.task_type, "fill-mask");
  EXPECT_EQ(r.task_name, "Fill Mask");
  EXPECT_EQ(r.dataset_type, "wikitext");
  EXPECT_EQ(r.dataset_name, "WikiText");
  EXPECT_EQ(r.dataset_split, "test");
  ASSERT_EQ(r.metrics.size(), 2u);
  EXPECT_EQ(r.metrics[0].type, "perplexity");
  EXPECT_EQ(r.metrics[0].value, json::value(3.5));
  EXPECT_EQ(r.metrics[0].name, "PPL");
  EXPECT_EQ(r.metrics[1].value, json::value("n/a"));
  EXPECT_EQ(r.source_url, "https://example.org");
  EXPECT_TRUE(std::any_of(m.errors.begin(), m.errors.end(),
                          [](const std::string& s) { return s.find("model-index[0].results[1]") == 0; }));
  auto api = md::to_api_json(m);
  EXPECT_EQ(json::serialize(api.at("model-index")),
            R"([{"name":"my-bert","results":[{"task":{"type":"fill-mask","name":"Fill Mask"},)"
            R"("dataset":{"type":"wikitext","name":"WikiText","split":"test"},"metrics":[{"type":"perplexity",)"
            R"("value":3.5,"name":"PPL"},{"type":"accuracy","value":"n/a"}],"source":{"url":"https://example.org",)"
            R"("name":"Leaderboard"}}]}])");
}

// Pages render source.url as a link (issue 14, low): only plain http(s) URLs are kept.
TEST(RepoMetadata, EvalSourceUrlsMustBeHttp) {
  for (std::string url : {"javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:x",
                          "data:text/html,<script>x</script>", "vbscript:x", "//evil.example/x", "/relative",
                          "https://ok.example/a b", "https://ok.example/\\x", "http://", "https://a\"onmouseover=x"}) {
    md::RepoFiles repo;
    json::value src(url);
    std::string readme = "---\nmodel-index: [{name: m, results: [{task: {type: t}, dataset: {type: d, name: n}, "
                         "metrics: [{type: acc, value: 1}], source: {name: s, url: " + json::serialize(src) + "}}]}]\n---\n";
    repo.readme = readme;
    auto m = md::build_repo_metadata(repo);
    ASSERT_EQ(m.fields.model_index.size(), 1u) << url;
    EXPECT_EQ(m.fields.model_index[0].results[0].source_url, "") << url;
    EXPECT_EQ(m.fields.model_index[0].results[0].source_name, "s") << url;  // the result itself stays
    EXPECT_TRUE(std::any_of(m.errors.begin(), m.errors.end(),
                            [](const std::string& s) { return s.find("source.url") != std::string::npos; }))
        << url;
  }
  for (std::string ok : {"https://example.org/board?x=1#y", "HTTP://EXAMPLE.ORG/", "http://10.0.0.1:8080/x"})
    EXPECT_TRUE(md::is_http_url(ok)) << ok;
}

TEST(RepoMetadata, ModelIndexOfWrongShapesIsTolerated) {
  for (const char* yaml : {"model-index: 5", "model-index: {a: b}", "model-index: [1, 2]",
                           "model-index: [{name: x, results: 3}]",
                           "model-index: [{results: [{task: {type: t}, dataset: {type: d, name: n}, metrics: "
                           "[{type: m, value: [1]}]}]}]"}) {
    md::RepoFiles repo;
    std::string readme = std::string("---\n") + yaml + "\n---\n";
    repo.readme = readme;
    auto m = md::build_repo_metadata(repo);
    EXPECT_TRUE(m.fields.model_index.empty()) << yaml;
    EXPECT_FALSE(m.errors.empty()) << yaml;
    EXPECT_FALSE(has(m.tags, "model-index")) << yaml;
  }
}

TEST(RepoMetadata, WrongFieldTypesAreToleratedAndRecorded) {
  md::RepoFiles repo;
  std::string readme =
      "---\ntags: 5\nlanguage: {a: b}\nlicense: [mit, {x: 1}]\ndatasets: [2023, true]\nwidget: oops\n"
      "inference: maybe\nbase_model: [[a]]\n---\n";
  repo.readme = readme;
  auto m = md::build_repo_metadata(repo);
  EXPECT_TRUE(m.fields.tags.empty());
  EXPECT_TRUE(m.fields.languages.empty());
  EXPECT_EQ(m.fields.licenses, std::vector<std::string>{"mit"});
  EXPECT_EQ(m.fields.datasets, (std::vector<std::string>{"2023", "true"}));
  EXPECT_TRUE(m.fields.widget.empty());
  EXPECT_TRUE(m.fields.base_models.empty());
  EXPECT_EQ(m.errors.size(), 6u);
  EXPECT_TRUE(has(m.tags, "license:mit"));
  // cardData keeps what the card said, whatever its type.
  EXPECT_EQ(m.card.data.at("tags"), json::value(5));
}

TEST(RepoMetadata, SingleStringsAreListsAndListsAreCapped) {
  md::RepoFiles repo;
  std::string readme = "---\nlanguage: en\nlicense: mit\ntags: [";
  for (int i = 0; i < 300; ++i) readme += (i ? ",t" : "t") + std::to_string(i);
  readme += "]\n---\n";
  repo.readme = readme;
  auto m = md::build_repo_metadata(repo);
  EXPECT_EQ(m.fields.languages, std::vector<std::string>{"en"});
  EXPECT_EQ(m.fields.tags.size(), md::CardFieldLimits{}.max_list_items);
  EXPECT_EQ(m.errors.size(), 1u);
}

TEST(RepoMetadata, InferenceFlagAndParameters) {
  md::RepoFiles repo;
  std::string off = "---\npipeline_tag: text-classification\nlibrary_name: transformers\ninference: false\n---\n";
  repo.readme = off;
  auto m = md::build_repo_metadata(repo);
  EXPECT_TRUE(m.inference_disabled);
  EXPECT_FALSE(m.serverless_servable);
  std::string params = "---\npipeline_tag: text-generation\ninference:\n  parameters:\n    temperature: 0.5\n---\n";
  repo.readme = params;
  m = md::build_repo_metadata(repo);
  EXPECT_FALSE(m.inference_disabled);
  EXPECT_EQ(m.fields.inference_parameters.at("temperature"), json::value(0.5));
}

TEST(RepoMetadata, ConfigSubsetAndTransformersInfo) {
  md::RepoFiles repo;
  std::string readme = "---\nlibrary_name: transformers\n---\n";
  std::string config = R"({"architectures":["LlamaForCausalLM", 5],"model_type":"llama","hidden_size":4096,
    "auto_map":{"AutoModelForCausalLM":["m.MyLlama","t.Tok"]},
    "quantization_config":{"quant_method":"gptq","bits":4,"secret":{"x":1}}})";
  std::string tok = R"({"bos_token":{"content":"<s>","lstrip":false},"eos_token":"</s>","model_max_length":4096,
    "chat_template":"{% for m in messages %}{{ m }}{% endfor %}"})";
  repo.readme = readme;
  repo.config_json = config;
  repo.tokenizer_config_json = tok;
  repo.files = files({"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"});
  auto m = md::build_repo_metadata(repo);
  EXPECT_EQ(json::serialize(m.config),
            R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","auto_map":{"AutoModelForCausalLM":)"
            R"(["m.MyLlama","t.Tok"]},"quantization_config":{"quant_method":"gptq","bits":4},"tokenizer_config":)"
            R"({"bos_token":"<s>","eos_token":"</s>","chat_template":"{% for m in messages %}{{ m }}{% endfor %}"}})");
  ASSERT_TRUE(m.transformers_info);
  EXPECT_EQ(m.transformers_info->auto_model, "AutoModelForCausalLM");
  EXPECT_EQ(m.transformers_info->pipeline_tag, "text-generation");
  EXPECT_EQ(m.transformers_info->processor, "AutoTokenizer");
  EXPECT_EQ(m.transformers_info->custom_class, "m.MyLlama");
  EXPECT_TRUE(has(m.tags, "conversational"));
  EXPECT_TRUE(has(m.tags, "custom_code"));
  // Chat models get chat widget defaults.
  ASSERT_FALSE(m.widget_data.empty());
  EXPECT_TRUE(m.widget_data[0].as_object().contains("messages"));
  auto api = md::to_api_json(m);
  EXPECT_EQ(json::serialize(api.at("transformersInfo")),
            R"({"auto_model":"AutoModelForCausalLM","processor":"AutoTokenizer","pipeline_tag":"text-generation",)"
            R"("custom_class":"m.MyLlama"})");
}

// PIPELINE_TAG.md 4.4: config.json + weights + tokenizer and no README (the stories260K layout)
// is a transformers text-generation repo with transformersInfo and widget examples.
TEST(RepoMetadata, CardlessCheckpointGetsTaskAndWidget) {
  md::RepoFiles repo;
  std::string config = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","rms_norm_eps":1e-05})";
  repo.config_json = config;
  repo.files = files({"config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                      "tokenizer_config.json"});
  auto m = md::build_repo_metadata(repo);
  EXPECT_EQ(m.library_name.value_or(""), "transformers");
  EXPECT_EQ(m.pipeline_tag.value_or(""), "text-generation");
  EXPECT_EQ(m.pipeline_source, md::PipelineSource::architecture);
  EXPECT_FALSE(m.inference_disabled);
  ASSERT_TRUE(m.transformers_info);
  EXPECT_EQ(m.transformers_info->auto_model, "AutoModelForCausalLM");
  EXPECT_TRUE(has(m.tags, "transformers"));
  EXPECT_TRUE(has(m.tags, "text-generation"));
  ASSERT_FALSE(m.widget_data.empty());
  auto api = md::to_api_json(m);
  EXPECT_EQ(api.at("library_name"), "transformers");
  EXPECT_EQ(api.at("pipeline_tag"), "text-generation");
  EXPECT_FALSE(api.contains("cardData"));
  // The same files with a card saying otherwise: the card wins, library still from config.json.
  std::string readme = "---\npipeline_tag: fill-mask\n---\n";
  repo.readme = readme;
  auto carded = md::build_repo_metadata(repo);
  EXPECT_EQ(carded.pipeline_tag.value_or(""), "fill-mask");
  EXPECT_EQ(carded.pipeline_source, md::PipelineSource::card);
  EXPECT_EQ(carded.library_name.value_or(""), "transformers");
  std::string off = "---\ninference: false\n---\n";
  repo.readme = off;
  EXPECT_TRUE(md::build_repo_metadata(repo).inference_disabled);
}

TEST(RepoMetadata, ProcessorFromFiles) {
  md::RepoFiles repo;
  std::string readme = "---\nlibrary_name: transformers\n---\n";
  std::string config = R"({"architectures":["ViTForImageClassification"]})";
  repo.readme = readme;
  repo.config_json = config;
  repo.files = files({"config.json", "preprocessor_config.json"});
  EXPECT_EQ(md::build_repo_metadata(repo).transformers_info->processor, "AutoImageProcessor");
  repo.files = files({"config.json", "preprocessor_config.json", "tokenizer.json"});
  EXPECT_EQ(md::build_repo_metadata(repo).transformers_info->processor, "AutoProcessor");
}

TEST(RepoMetadata, BadJsonFilesAreReportedAndIgnored) {
  md::RepoFiles repo;
  std::string readme = "---\nlibrary_name: transformers\ntags: [fill-mask]\n---\n";
  std::string config = R"({"architectures": ["BertForMaskedLM")";
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  std::string bad_utf8 = "{\"bos_token\": \"\xff\"}";
  repo.readme = readme;
  repo.config_json = config;
  repo.tokenizer_config_json = bad_utf8;
  repo.adapter_config_json = deep;
  auto m = md::build_repo_metadata(repo);
  EXPECT_EQ(m.pipeline_tag.value_or(""), "fill-mask");  // falls through to tags
  EXPECT_EQ(m.errors.size(), 3u);
  EXPECT_TRUE(m.config.empty());
}

TEST(RepoMetadata, WidgetFromCardWithMaskToken) {
  md::RepoFiles repo;
  repo.readme = kBertReadme;
  std::string tok = R"({"mask_token":"[MASK]"})";
  repo.tokenizer_config_json = tok;
  auto m = md::build_repo_metadata(repo);
  EXPECT_EQ(m.mask_token.value_or(""), "[MASK]");
  ASSERT_EQ(m.widget_data.size(), 1u);
  EXPECT_EQ(m.widget_data[0].at("text"), json::value("Paris is the [MASK] of France."));
  auto api = md::to_api_json(m);
  EXPECT_EQ(api.at("mask_token"), json::value("[MASK]"));
}

TEST(RepoMetadata, DefaultWidgetByTask) {
  md::RepoFiles repo;
  std::string readme = "---\npipeline_tag: sentence-similarity\n---\n";
  repo.readme = readme;
  auto m = md::build_repo_metadata(repo);
  ASSERT_EQ(m.widget_data.size(), 1u);
  EXPECT_EQ(m.widget_data[0].at("source_sentence"), json::value("That is a happy person"));
  std::string none = "---\npipeline_tag: graph-ml\n---\n";
  repo.readme = none;
  EXPECT_TRUE(md::build_repo_metadata(repo).widget_data.empty());
}

TEST(RepoMetadata, BaseModelRelation) {
  md::RepoFiles repo;
  std::string merge = "---\nbase_model: [a/x, b/y]\n---\n";
  repo.readme = merge;
  auto m = md::build_repo_metadata(repo);
  EXPECT_TRUE(has(m.tags, "base_model:merge:a/x"));
  EXPECT_TRUE(has(m.tags, "base_model:merge:b/y"));
  std::string quant = "---\nbase_model: a/x\n---\n";
  repo.readme = quant;
  repo.files = files({"m.gguf"});
  EXPECT_TRUE(has(md::build_repo_metadata(repo).tags, "base_model:quantized:a/x"));
  std::string explicit_rel = "---\nbase_model: a/x\nbase_model_relation: adapter\n---\n";
  repo.readme = explicit_rel;
  EXPECT_TRUE(has(md::build_repo_metadata(repo).tags, "base_model:adapter:a/x"));
}

TEST(RepoMetadata, ApiJsonOmitsUnknownFields) {
  md::RepoFiles repo;
  repo.region.clear();
  auto api = md::to_api_json(md::build_repo_metadata(repo));
  EXPECT_FALSE(api.contains("pipeline_tag"));
  EXPECT_FALSE(api.contains("library_name"));
  EXPECT_FALSE(api.contains("cardData"));
  EXPECT_EQ(api.at("tags"), json::array());
}

TEST(RepoMetadata, EvalResultsAndTensorboardFromFiles) {
  md::RepoFiles repo;
  repo.files = files({".eval_results/x.yaml", "logs/train/events.out.tfevents.123.host.1"});
  auto m = md::build_repo_metadata(repo);
  EXPECT_TRUE(has(m.tags, "eval-results"));
  EXPECT_TRUE(has(m.tags, "tensorboard"));
  EXPECT_FALSE(has(m.tags, "safetensors"));
}

TEST(Tags, ArxivIds) {
  EXPECT_EQ(md::find_arxiv_ids("https://arxiv.org/abs/1706.03762 and arxiv.org/pdf/2106.09685v2.pdf "
                               "arxiv.org/abs/1706.03762 arxiv.org/abs/12.34 arxiv.org/list/cs"),
            (std::vector<std::string>{"arxiv:1706.03762", "arxiv:2106.09685"}));
}

TEST(Tables, PipelineTypesMatchTheDoc) {
  auto types = md::pipeline_types();
  ASSERT_EQ(types.size(), 57u);
  EXPECT_EQ(types.front().id, "text-classification");
  EXPECT_EQ(types.back().id, "other");
  EXPECT_TRUE(types.back().hide_in_models);
  EXPECT_EQ(md::find_pipeline_type("tabular-to-text")->hide_in_models, true);
  EXPECT_EQ(md::find_pipeline_type("keypoint-detection")->hide_in_datasets, true);
  EXPECT_EQ(md::find_pipeline_type("audio-text-to-text")->modality, md::Modality::multimodal);
  EXPECT_EQ(md::find_pipeline_type("robotics")->modality, md::Modality::rl);
  EXPECT_EQ(md::find_pipeline_type("conversational"), nullptr);
  EXPECT_EQ(md::find_pipeline_type("text2text-generation"), nullptr);
  EXPECT_LT(*md::pipeline_type_rank("text-classification"), *md::pipeline_type_rank("translation"));
}

TEST(Tables, LibrariesSortedAndServable) {
  auto libs = md::libraries();
  EXPECT_TRUE(std::is_sorted(libs.begin(), libs.end(), [](auto& a, auto& b) { return a.key < b.key; }));
  for (auto key : {"transformers", "sentence-transformers", "diffusers", "timm", "peft", "mlx", "keras"})
    EXPECT_NE(md::find_library(key), nullptr) << key;
  EXPECT_EQ(md::find_library("gguf"), nullptr);  // a format, not a library key
  EXPECT_TRUE(md::library_serves_task("transformers", "fill-mask"));
  EXPECT_TRUE(md::library_serves_task("diffusers", "text-to-image"));
  EXPECT_FALSE(md::library_serves_task("diffusers", "fill-mask"));
}

TEST(Tables, ArchitectureTableLookups) {
  auto m = md::find_architecture("BertForMaskedLM");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->raw_tag, "fill-mask");
  EXPECT_EQ(m->auto_class, "AutoModelForMaskedLM");
  EXPECT_EQ(md::find_architecture("BartForConditionalGeneration")->raw_tag, "text2text-generation");
  EXPECT_EQ(md::find_architecture("ElectraForPreTraining")->raw_tag, "");
  EXPECT_FALSE(md::find_architecture("NotAModel"));
  EXPECT_FALSE(md::find_architecture(""));
  EXPECT_EQ(md::match_architecture("NewThingForTokenClassification")->raw_tag, "token-classification");
  EXPECT_FALSE(md::match_architecture("NewThingForTokenClassification")->from_table);
  EXPECT_EQ(md::match_auto_class("AutoModelForSeq2SeqLM")->raw_tag, "text2text-generation");
  EXPECT_FALSE(md::match_auto_class("AutoTokenizer"));
}

TEST(TagsByType, ListsKnownAndObservedTags) {
  std::vector<std::string> tags = {"license:mit", "dataset:squad", "region:us", "en", "pytorch", "exbert",
                                   "fill-mask", "transformers", "arxiv:1234.5678", "license:mit"};
  std::vector<std::string> languages = {"en"};
  auto out = md::models_tags_by_type(tags, languages);
  const auto& pipelines = out.at("pipeline_tag").as_array();
  EXPECT_EQ(pipelines.size(), 57u - 5u);  // hidden in model filters: 5 types (doc: `*`)
  EXPECT_EQ(json::serialize(pipelines[0]),
            R"({"id":"text-classification","label":"Text Classification","type":"pipeline_tag","subType":"nlp"})");
  EXPECT_EQ(json::serialize(out.at("license")), R"([{"id":"license:mit","label":"mit","type":"license"}])");
  EXPECT_EQ(json::serialize(out.at("dataset")), R"([{"id":"dataset:squad","label":"squad","type":"dataset"}])");
  EXPECT_EQ(json::serialize(out.at("language")), R"([{"id":"en","label":"en","type":"language"}])");
  EXPECT_EQ(json::serialize(out.at("other")), R"([{"id":"exbert","label":"exbert","type":"other"}])");
  EXPECT_EQ(out.at("region").as_array().size(), 1u);
  const auto& libs = out.at("library").as_array();
  EXPECT_TRUE(std::any_of(libs.begin(), libs.end(), [](const json::value& v) { return v.at("id") == "pytorch"; }));
}

// Fuzz-style: mutated cards and config files never crash and always give well-formed output.
TEST(RepoMetadata, RandomMutationsStayWellFormed) {
  const std::string readme_seed = kBertReadme;
  const std::string config_seed =
      R"({"architectures":["BertForMaskedLM"],"model_type":"bert","auto_map":{"AutoModel":"m.X"}})";
  const std::string alphabet = "-:[]{}&*!|>'\"#?,\n \xff" "ab1";
  uint32_t state = 777;
  auto next = [&] { state = state * 1664525u + 1013904223u; return state >> 8; };
  auto mutate = [&](std::string text) {
    int edits = 1 + next() % 6;
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = next() % (text.size() + 1);
      char c = alphabet[next() % alphabet.size()];
      if (next() % 2 && pos < text.size()) text[pos] = c;
      else text.insert(pos, 1, c);
    }
    return text;
  };
  for (int iter = 0; iter < 1500; ++iter) {
    std::string readme = mutate(readme_seed);
    std::string config = mutate(config_seed);
    md::RepoFiles repo;
    repo.readme = readme;
    repo.config_json = config;
    repo.files = files({"config.json", "model.safetensors"});
    auto m = md::build_repo_metadata(repo);
    auto api = md::to_api_json(m);
    ASSERT_TRUE(json::parse(json::serialize(api)).has_value()) << readme;
    if (m.pipeline_tag) {
      ASSERT_NE(md::find_pipeline_type(*m.pipeline_tag), nullptr);
    }
    ASSERT_LE(m.errors.size(), 128u);
  }
}

TEST(Widgets, DefaultsFollowTheCardLanguage) {
  std::vector<std::string> fr = {"xx", "fr"};
  auto out = md::default_widget_inputs("fill-mask", false, fr);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].at("text"), json::value("Paris est la <mask> de la France."));
  auto en = md::default_widget_inputs("fill-mask", false);
  EXPECT_EQ(en[0].at("text"), json::value("Paris is the <mask> of France."));
  // A language without defaults for the task falls back to English.
  std::vector<std::string> dv = {"dv"};
  EXPECT_EQ(md::default_widget_inputs("table-question-answering", false, dv)[0].at("text"),
            json::value("How many stars does the transformers repository have?"));
  auto chat = md::default_widget_inputs("text-generation", true);
  ASSERT_EQ(chat.size(), 4u);
  EXPECT_EQ(json::serialize(chat[0]), R"({"messages":[{"role":"user","content":"Hi, what can you help me with?"}]})");
  auto qa = md::default_widget_inputs("question-answering", false);
  EXPECT_EQ(qa[0].at("context"), json::value("My name is Wolfgang and I live in Berlin"));
  EXPECT_TRUE(md::default_widget_inputs("graph-ml", false).empty());
}
