// Table of pipeline_tag / library_name cases through build_repo_metadata (PIPELINE_TAG.md 2-4).
#include "services/metadata/repo_metadata.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace md = hub::services::metadata;

namespace {

struct Case {
  const char* name;
  std::string readme;             // "" = no README
  std::string config;             // "" = no config.json
  std::vector<std::string> files;
  std::string expected_tag;       // "" = none
  std::string expected_library;   // "" = none
  std::string model_index = {};
  std::string adapter_config = {};
  std::string base_model_tag = {};  // what the base-model callback answers
};

std::string card(const std::string& yaml) { return "---\n" + yaml + "\n---\n# Model\n"; }
std::string arch(const std::string& cls) { return R"({"architectures":[")" + cls + R"("],"model_type":"x"})"; }

// A transformers repo whose config names `cls`, with optional extra card YAML.
Case tr(const char* name, const std::string& cls, const char* expected, const std::string& extra_yaml = "") {
  return Case{name, card("library_name: transformers\n" + extra_yaml), arch(cls),
              {"config.json", "model.safetensors"}, expected, "transformers"};
}

const std::vector<Case>& cases() {
  static const std::vector<Case> k = {
      // 1. Card value, legacy values, unknown values.
      {"card_explicit", card("pipeline_tag: token-classification"), "", {}, "token-classification", ""},
      {"card_legacy_text2text", card("pipeline_tag: text2text-generation"), "", {}, "text-generation", ""},
      {"card_legacy_conversational", card("pipeline_tag: conversational"), "", {}, "text-generation", ""},
      {"card_unknown_falls_to_tags", card("pipeline_tag: foo-bar\ntags: [fill-mask]"), "", {}, "fill-mask", ""},
      {"card_wrong_type_falls_to_tags", card("pipeline_tag: [a]\ntags: [fill-mask]"), "", {}, "fill-mask", ""},
      // 3. Tags in declaration order, not card order.
      {"tags_only", card("tags: [foo, text-generation]"), "", {}, "text-generation", ""},
      {"tags_declaration_order", card("tags: [translation, text-classification]"), "", {},
       "text-classification", ""},
      {"tags_declaration_order_2", card("tags: [image-classification, fill-mask]"), "", {}, "fill-mask", ""},
      {"tags_subtask_is_not_a_type", card("tags: [sentiment-analysis]"), "", {}, "", ""},
      {"tags_legacy_not_a_type", card("tags: [text2text-generation, conversational]"), "", {}, "", ""},
      // 2. transformers architecture table, one per family row of section 3.
      tr("seq_cls", "BertForSequenceClassification", "text-classification"),
      tr("token_cls", "BertForTokenClassification", "token-classification"),
      tr("qa", "BertForQuestionAnswering", "question-answering"),
      tr("qa_simple", "XLNetForQuestionAnsweringSimple", "question-answering"),
      tr("masked_lm", "BertForMaskedLM", "fill-mask"),
      tr("with_lm_head_multi_map", "XLMWithLMHeadModel", "fill-mask"),
      tr("causal_lm", "LlamaForCausalLM", "text-generation"),
      tr("lm_head_model", "GPT2LMHeadModel", "text-generation"),
      tr("t5_seq2seq", "T5ForConditionalGeneration", "text-generation"),
      tr("bart_seq2seq", "BartForConditionalGeneration", "text-generation"),
      tr("marian_refined_translation", "MarianMTModel", "translation", "tags: [translation]"),
      tr("bart_refined_summarization", "BartForConditionalGeneration", "summarization", "tags: [summarization]"),
      tr("encoder_decoder", "EncoderDecoderModel", "text-generation"),
      tr("ctc", "Wav2Vec2ForCTC", "automatic-speech-recognition"),
      tr("whisper", "WhisperForConditionalGeneration", "automatic-speech-recognition"),
      tr("image_cls", "ViTForImageClassification", "image-classification"),
      tr("image_cls_teacher", "DeiTForImageClassificationWithTeacher", "image-classification"),
      tr("object_detection", "DetrForObjectDetection", "object-detection"),
      tr("detr_segmentation", "DetrForSegmentation", "image-segmentation"),
      tr("semantic_seg_suffix", "SegformerForSemanticSegmentation", "image-segmentation"),
      tr("universal_seg_suffix", "Mask2FormerForUniversalSegmentation", "image-segmentation"),
      tr("depth", "DPTForDepthEstimation", "depth-estimation"),
      tr("video_cls", "VideoMAEForVideoClassification", "video-classification"),
      tr("audio_seq_cls_exception", "Wav2Vec2ForSequenceClassification", "audio-classification"),
      tr("ast_audio_cls", "ASTForAudioClassification", "audio-classification"),
      tr("base_model", "BertModel", "feature-extraction"),
      tr("base_model_refined", "BertModel", "sentence-similarity", "tags: [sentence-similarity]"),
      tr("vision_base_model", "ViTModel", "image-feature-extraction"),
      tr("pretraining_falls_to_tags", "BertForPreTraining", "fill-mask", "tags: [fill-mask]"),
      tr("pretraining_alone", "BertForPreTraining", ""),
      tr("nsp_alone", "BertForNextSentencePrediction", ""),
      tr("multiple_choice", "BertForMultipleChoice", "multiple-choice"),
      tr("document_qa", "LayoutLMv3ForQuestionAnswering", "document-question-answering"),
      tr("table_qa", "TapasForQuestionAnswering", "table-question-answering"),
      tr("vqa", "ViltForQuestionAnswering", "visual-question-answering"),
      tr("clip_zero_shot", "CLIPModel", "zero-shot-image-classification"),
      tr("owlvit", "OwlViTForObjectDetection", "zero-shot-object-detection"),
      tr("sam", "SamModel", "mask-generation"),
      tr("swin2sr", "Swin2SRForImageSuperResolution", "image-to-image"),
      tr("speecht5_tts", "SpeechT5ForTextToSpeech", "text-to-audio"),
      tr("speecht5_tts_refined", "SpeechT5ForTextToSpeech", "text-to-speech", "tags: [text-to-speech]"),
      tr("vits", "VitsModel", "text-to-audio"),
      tr("blip_caption", "BlipForConditionalGeneration", "image-to-text"),
      tr("vision_encoder_decoder", "VisionEncoderDecoderModel", "image-to-text"),
      tr("llava", "LlavaForConditionalGeneration", "image-text-to-text"),
      tr("qwen2_vl", "Qwen2VLForConditionalGeneration", "image-text-to-text"),
      tr("gemma3", "Gemma3ForConditionalGeneration", "image-text-to-text"),
      tr("qwen2_audio", "Qwen2AudioForConditionalGeneration", "audio-text-to-text"),
      tr("seq_cls_never_auto_zero_shot", "RobertaForSequenceClassification", "text-classification"),
      tr("seq_cls_refined_zero_shot", "RobertaForSequenceClassification", "zero-shot-classification",
         "tags: [zero-shot-classification]"),
      tr("unknown_causal_suffix", "FooBarForCausalLM", "text-generation"),
      tr("unknown_conditional_generation", "FooBarForConditionalGeneration", ""),
      tr("unknown_conditional_generation_tags", "FooBarForConditionalGeneration", "image-text-to-text",
         "tags: [image-text-to-text]"),
      tr("unknown_class", "Zzz", ""),
      {"auto_map_fallback", card("library_name: transformers"),
       R"({"model_type":"custom","auto_map":{"AutoConfig":"c.Cfg","AutoModelForCausalLM":"m.MyLM"}})",
       {"config.json"}, "text-generation", "transformers"},
      {"auto_map_after_unknown_arch", card("library_name: transformers"),
       R"({"architectures":["Zzz"],"auto_map":{"AutoModelForSequenceClassification":"m.C"}})",
       {"config.json"}, "text-classification", "transformers"},
      {"auto_map_beats_suffix_guess", card("library_name: transformers"),
       R"({"architectures":["ChatGLMModel"],"auto_map":{"AutoConfig":"c.C","AutoModel":"m.M",)"
       R"("AutoModelForSeq2SeqLM":"m.M"}})",
       {"config.json"}, "text-generation", "transformers"},
      {"auto_map_plain_automodel", card("library_name: transformers"),
       R"({"auto_map":{"AutoConfig":"c.C","AutoModel":"m.M"}})", {"config.json"}, "feature-extraction",
       "transformers"},
      {"suffix_rule_without_auto_map", card("library_name: transformers"), arch("ChatGLMModel"), {"config.json"},
       "feature-extraction", "transformers"},
      // 4. Library defaults.
      {"sentence_transformers_files", "", arch("BertModel"), {"modules.json", "config.json"},
       "sentence-similarity", "sentence-transformers"},
      {"sentence_transformers_tags_win", card("tags: [feature-extraction]"), arch("BertModel"),
       {"config_sentence_transformers.json", "config.json"}, "feature-extraction", "sentence-transformers"},
      {"timm", "", R"({"architecture":"resnet50","num_classes":1000})", {"config.json"}, "image-classification",
       "timm"},
      {"diffusers_text_to_image", "", "", {"model_index.json"}, "text-to-image", "diffusers",
       R"({"_class_name":"StableDiffusionPipeline"})"},
      {"diffusers_flux", "", "", {"model_index.json"}, "text-to-image", "diffusers", R"({"_class_name":"FluxPipeline"})"},
      {"diffusers_img2img", "", "", {"model_index.json"}, "image-to-image", "diffusers",
       R"({"_class_name":"StableDiffusionImg2ImgPipeline"})"},
      {"diffusers_inpaint", "", "", {"model_index.json"}, "image-to-image", "diffusers",
       R"({"_class_name":"StableDiffusionXLInpaintPipeline"})"},
      {"peft_causal_lm", card("base_model: meta/llama"), "", {"adapter_config.json"}, "text-generation", "peft", "",
       R"({"task_type":"CAUSAL_LM","base_model_name_or_path":"meta/llama"})"},
      {"peft_base_model_tag", card("base_model: org/classifier"), "", {"adapter_config.json"},
       "text-classification", "peft", "", R"({"task_type":"SEQ_CLS"})", "text-classification"},
      {"peft_unknown_task", "", "", {"adapter_config.json"}, "", "peft", "", R"({"task_type":"SEQ_CLS"})"},
      {"gguf_only", "", "", {"model-Q4_K_M.gguf", "README.md"}, "text-generation", "gguf"},
      {"onnx_only_no_default", "", "", {"model.onnx"}, "", "onnx"},
      // Conflicting signals: card > architecture > tags > library default.
      {"card_beats_architecture", card("library_name: transformers\npipeline_tag: fill-mask"),
       arch("LlamaForCausalLM"), {"config.json"}, "fill-mask", "transformers"},
      {"architecture_beats_tags", card("library_name: transformers\ntags: [text-classification]"),
       arch("GPT2LMHeadModel"), {"config.json"}, "text-generation", "transformers"},
      {"tags_beat_library_default", card("library_name: timm\ntags: [image-segmentation]"),
       R"({"architecture":"x","num_classes":3})", {"config.json"}, "image-segmentation", "timm"},
      {"card_library_beats_files", card("library_name: transformers"), arch("BertForMaskedLM"),
       {"modules.json", "config.json"}, "fill-mask", "transformers"},
      // Library resolution without a card library_name.
      // 4.4: config.json decides the task when no card does (any repo age).
      {"config_alone_is_transformers", "", arch("BertForMaskedLM"), {"config.json"}, "fill-mask", "transformers"},
      {"config_alone_causal_lm", "", arch("LlamaForCausalLM"), {"config.json", "model.safetensors"},
       "text-generation", "transformers"},
      {"config_alone_seq_cls", "", arch("BertForSequenceClassification"), {"config.json", "model.safetensors"},
       "text-classification", "transformers"},
      {"config_alone_seq2seq", "", arch("T5ForConditionalGeneration"), {"config.json"}, "text-generation",
       "transformers"},
      {"config_alone_audio_seq_cls", "", arch("Wav2Vec2ForSequenceClassification"), {"config.json"},
       "audio-classification", "transformers"},
      {"config_alone_unknown_class_suffix", "", arch("FooBarForTokenClassification"), {"config.json"},
       "token-classification", "transformers"},
      {"config_model_type_only", "", R"({"model_type":"llama"})", {"config.json"}, "", "transformers"},
      {"config_model_type_and_auto_map", "",
       R"({"model_type":"custom","auto_map":{"AutoModelForCausalLM":"m.M"}})", {"config.json"},
       "text-generation", "transformers"},
      {"config_without_arch_or_type", "", R"({"hidden_size":8})", {"config.json"}, "", ""},
      {"config_empty_architectures", "", R"({"architectures":[],"model_type":""})", {"config.json"}, "", ""},
      {"config_architectures_wrong_type", "", R"({"architectures":"BertModel"})", {"config.json"}, "", ""},
      {"config_plus_gguf_is_transformers", "", arch("LlamaForCausalLM"), {"config.json", "m.gguf"},
       "text-generation", "transformers"},
      {"config_plus_onnx_is_transformers", "", arch("BertForMaskedLM"), {"config.json", "model.onnx"},
       "fill-mask", "transformers"},
      // The card still wins: its pipeline_tag, its library_name, its tags refining the task.
      {"card_tag_beats_config", card("pipeline_tag: summarization"), arch("LlamaForCausalLM"), {"config.json"},
       "summarization", "transformers"},
      {"card_library_beats_config", card("library_name: sentence-transformers"), arch("BertModel"),
       {"config.json"}, "sentence-similarity", "sentence-transformers"},
      {"card_without_library_refines_config", card("tags: [translation]"), arch("MarianMTModel"),
       {"config.json"}, "translation", "transformers"},
      {"card_zero_shot_tag_refines_config", card("license: mit\ntags: [zero-shot-classification]"),
       arch("BertForSequenceClassification"), {"config.json"}, "zero-shot-classification", "transformers"},
      {"files_library_beats_config", "", arch("BertModel"), {"config.json", "adapter_config.json"}, "", "peft"},
      {"library_from_tag", card("tags: [transformers]"), arch("BertForMaskedLM"), {"config.json"}, "fill-mask",
       "transformers"},
      {"unknown_card_library_ignored", card("library_name: not-a-library"), arch("BertForMaskedLM"),
       {"config.json", "model.nemo"}, "", "nemo"},
      {"gguf_with_transformers_config", card("library_name: transformers"), arch("LlamaForCausalLM"),
       {"config.json", "model.gguf"}, "text-generation", "transformers"},
      {"transformers_without_config", card("library_name: transformers\ntags: [translation]"), "", {},
       "translation", "transformers"},
      {"nothing_at_all", "", "", {}, "", ""},
  };
  return k;
}

// gtest prints parameters on failure; the name is what identifies a row.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class PipelineTagTable : public ::testing::TestWithParam<Case> {};

TEST_P(PipelineTagTable, Resolves) {
  const Case& c = GetParam();
  md::RepoFiles repo;
  if (!c.readme.empty()) repo.readme = c.readme;
  if (!c.config.empty()) repo.config_json = c.config;
  if (!c.model_index.empty()) repo.model_index_json = c.model_index;
  if (!c.adapter_config.empty()) repo.adapter_config_json = c.adapter_config;
  for (const auto& f : c.files) repo.files.push_back({f, 100});
  std::string base_tag = c.base_model_tag;
  repo.base_model_pipeline_tag = [base_tag](std::string_view) -> std::optional<std::string> {
    if (base_tag.empty()) return std::nullopt;
    return base_tag;
  };
  auto m = md::build_repo_metadata(repo);
  EXPECT_EQ(m.pipeline_tag.value_or(""), c.expected_tag) << "source: " << md::pipeline_source_name(m.pipeline_source);
  EXPECT_EQ(m.library_name.value_or(""), c.expected_library);
  // The resolved tag, when any, is always a known pipeline type and is among the repo's tags.
  if (m.pipeline_tag) {
    EXPECT_NE(std::find(m.tags.begin(), m.tags.end(), *m.pipeline_tag), m.tags.end());
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, PipelineTagTable, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(PipelineTag, TableHasEnoughCases) { EXPECT_GE(cases().size(), 40u); }

TEST(PipelineTag, SourcesAreReported) {
  md::RepoFiles repo;
  std::string readme = card("library_name: transformers");
  std::string config = arch("BertForMaskedLM");
  repo.readme = readme;
  repo.config_json = config;
  EXPECT_EQ(md::build_repo_metadata(repo).pipeline_source, md::PipelineSource::architecture);
  std::string readme2 = card("pipeline_tag: fill-mask");
  repo.readme = readme2;
  EXPECT_EQ(md::build_repo_metadata(repo).pipeline_source, md::PipelineSource::card);
}

TEST(PipelineTag, UnknownCardValueIsReported) {
  md::RepoFiles repo;
  std::string readme = card("pipeline_tag: foo-bar");
  repo.readme = readme;
  auto m = md::build_repo_metadata(repo);
  EXPECT_FALSE(m.pipeline_tag);
  ASSERT_EQ(m.errors.size(), 1u);
  EXPECT_NE(m.errors[0].find("foo-bar"), std::string::npos);
}

}  // namespace
