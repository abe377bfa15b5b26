#include "services/metadata/transformers_arch.h"

#include <algorithm>
#include <iterator>

namespace hub::services::metadata {
namespace {

struct ArchRow {
  std::string_view model_class;
  std::string_view tag;
  std::string_view auto_class;
};

constexpr ArchRow kArchRows[] = {
#include "services/metadata/generated/transformers_arch_rows.inc"
};

struct AutoRow {
  std::string_view auto_class;
  std::string_view tag;
};

constexpr AutoRow kAutoRows[] = {
#include "services/metadata/generated/transformers_auto_class_rows.inc"
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

struct SuffixRule {
  std::string_view suffix;
  std::string_view tag;
  std::string_view auto_class;
};

// PIPELINE_TAG.md section 3 table, for classes the generated table does not list. Longer
// suffixes first where one ends another (WithLMHeadModel before LMHeadModel).
constexpr SuffixRule kSuffixRules[] = {
    {"ForSequenceClassification", "text-classification", "AutoModelForSequenceClassification"},
    {"ForTokenClassification", "token-classification", "AutoModelForTokenClassification"},
    {"ForQuestionAnsweringSimple", "question-answering", "AutoModelForQuestionAnswering"},
    {"ForQuestionAnswering", "question-answering", "AutoModelForQuestionAnswering"},
    {"ForMaskedLM", "fill-mask", "AutoModelForMaskedLM"},
    {"WithLMHeadModel", "fill-mask", "AutoModelForMaskedLM"},
    {"ForCausalLM", "text-generation", "AutoModelForCausalLM"},
    {"LMHeadModel", "text-generation", "AutoModelForCausalLM"},
    {"ModelWithLMHead", "text-generation", "AutoModelForCausalLM"},
    {"ForCTC", "automatic-speech-recognition", "AutoModelForCTC"},
    {"ForImageClassificationWithTeacher", "image-classification", "AutoModelForImageClassification"},
    {"ForImageClassification", "image-classification", "AutoModelForImageClassification"},
    {"ForObjectDetection", "object-detection", "AutoModelForObjectDetection"},
    {"ForSemanticSegmentation", "image-segmentation", "AutoModelForSemanticSegmentation"},
    {"ForUniversalSegmentation", "image-segmentation", "AutoModelForUniversalSegmentation"},
    {"ForInstanceSegmentation", "image-segmentation", "AutoModelForInstanceSegmentation"},
    {"ForDepthEstimation", "depth-estimation", "AutoModelForDepthEstimation"},
    {"ForVideoClassification", "video-classification", "AutoModelForVideoClassification"},
    {"ForAudioClassification", "audio-classification", "AutoModelForAudioClassification"},
    {"ForMultipleChoice", "multiple-choice", "AutoModelForMultipleChoice"},
    {"ForPreTraining", "", "AutoModelForPreTraining"},
    {"ForNextSentencePrediction", "", "AutoModelForNextSentencePrediction"},
};

// Text seq2seq families whose unknown *ForConditionalGeneration variants are text2text.
constexpr std::string_view kTextSeq2SeqFamilies[] = {"T5", "Bart", "BART", "Pegasus", "M2M100",
                                                     "Nllb", "NLLB", "LED", "Marian"};

// Vision backbones whose base *Model is image-feature-extraction rather than feature-extraction.
constexpr std::string_view kVisionBackbones[] = {"ViT",  "Dino", "DINO", "ResNet", "ConvNext", "Swin",
                                                 "Beit", "DeiT", "RegNet", "EfficientNet", "MobileNet"};

std::optional<ArchMatch> match_suffix(std::string_view cls) {
  for (const auto& r : kSuffixRules)
    if (ends_with(cls, r.suffix) && cls.size() > r.suffix.size()) return ArchMatch{r.tag, r.auto_class, false};
  if (cls == "MarianMTModel" || cls == "EncoderDecoderModel")
    return ArchMatch{"text2text-generation", "AutoModelForSeq2SeqLM", false};
  if (ends_with(cls, "ForConditionalGeneration")) {
    for (auto family : kTextSeq2SeqFamilies)
      if (contains(cls, family)) return ArchMatch{"text2text-generation", "AutoModelForSeq2SeqLM", false};
    return std::nullopt;  // vision, audio or text: the name alone does not say
  }
  if (ends_with(cls, "Model") && cls.size() > 5) {
    for (auto family : kVisionBackbones)
      if (contains(cls, family)) return ArchMatch{"image-feature-extraction", "AutoModel", false};
    return ArchMatch{"feature-extraction", "AutoModel", false};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ArchMatch> find_architecture(std::string_view model_class) {
  auto it = std::lower_bound(std::begin(kArchRows), std::end(kArchRows), model_class,
                             [](const ArchRow& r, std::string_view k) { return r.model_class < k; });
  if (it == std::end(kArchRows) || it->model_class != model_class) return std::nullopt;
  return ArchMatch{it->tag, it->auto_class, true};
}

std::optional<ArchMatch> match_architecture(std::string_view model_class) {
  if (auto m = find_architecture(model_class)) return m;
  return match_suffix(model_class);
}

std::optional<ArchMatch> match_auto_class(std::string_view auto_class) {
  auto it = std::lower_bound(std::begin(kAutoRows), std::end(kAutoRows), auto_class,
                             [](const AutoRow& r, std::string_view k) { return r.auto_class < k; });
  if (it == std::end(kAutoRows) || it->auto_class != auto_class) return std::nullopt;
  return ArchMatch{it->tag, it->auto_class, true};
}

}  // namespace hub::services::metadata
