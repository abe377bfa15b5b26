#include "inference/models/tasks.h"

#include <string>

#include "inference/models/model.h"

namespace hub::inference {

namespace {
struct TaskRow {
  std::string_view task;
  ModelKind kind;
};
// One row per engine task: the kind of model that serves it.
constexpr TaskRow kTasks[] = {
    {"text-classification", ModelKind::encoder},
    {"fill-mask", ModelKind::encoder},
    {"token-classification", ModelKind::encoder},
    {"question-answering", ModelKind::encoder},
    {"feature-extraction", ModelKind::encoder},
    {"sentence-similarity", ModelKind::encoder},
    {"zero-shot-classification", ModelKind::encoder},
    {"text-generation", ModelKind::decoder},
    {"text2text-generation", ModelKind::encoder_decoder},
    {"translation", ModelKind::encoder_decoder},
    {"summarization", ModelKind::encoder_decoder},
};

struct Alias {
  std::string_view name, task;
};
constexpr Alias kAliases[] = {
    {"sentiment-analysis", "text-classification"},
    {"ner", "token-classification"},
    {"sentence-similarity", "feature-extraction"},  // sentence-transformers serve both
};
}  // namespace

std::vector<std::string_view> engine_tasks() {
  std::vector<std::string_view> out;
  for (const auto& r : kTasks) out.push_back(r.task);
  return out;
}

std::string_view engine_task_for(std::string_view t) {
  for (const auto& a : kAliases)
    if (a.name == t) return a.task;
  // transformers' translation_{src}_to_{tgt} task names (and T5's task_specific_params keys).
  if (t.starts_with("translation_") && t.find("_to_") != std::string_view::npos) return "translation";
  for (const auto& r : kTasks)
    if (r.task == t) return r.task;
  return {};
}

bool kind_serves(ModelKind kind, std::string_view task) {
  for (const auto& r : kTasks)
    if (r.task == task) return r.kind == kind;
  return false;
}

std::vector<std::string_view> tasks_of(ModelKind kind) {
  std::vector<std::string_view> out;
  for (const auto& r : kTasks)
    if (r.kind == kind) out.push_back(r.task);
  return out;
}

std::string_view default_task(const Model& m) {
  if (m.config().kind == ModelKind::encoder) {
    switch (m.config().head) {
      case HeadKind::sequence_classification: return "text-classification";
      case HeadKind::token_classification: return "token-classification";
      case HeadKind::question_answering: return "question-answering";
      case HeadKind::masked_lm: return "fill-mask";
      default: return "feature-extraction";
    }
  }
  auto t = tasks_of(m.config().kind);
  return t.empty() ? std::string_view{} : t.front();
}

}  // namespace hub::inference
