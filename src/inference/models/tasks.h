// The one place that says which Inference API tasks each kind of model serves, and how a
// repo's pipeline_tag (or a `/pipeline/{task}` name) maps onto the engine task that runs it.
// The pipelines dispatch on it (pipelines/pipeline.cpp), the API checks requests against it,
// `hubd run` picks a default from it. Pure functions over constant tables; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "inference/models/kind.h"

namespace hub::inference {

class Model;

// Every task the engine runs, whatever the model (the API's GET /api/tasks).
std::vector<std::string_view> engine_tasks();

// The engine task behind a requested task name: aliases (sentiment-analysis, ner), the
// sentence-transformers tasks (feature-extraction and sentence-similarity run as
// feature-extraction), translation_xx_to_yy -> translation. "" when the engine has none.
std::string_view engine_task_for(std::string_view requested);

// Whether models of `kind` serve engine task `task` (a head-less encoder still "serves"
// text-classification: the pipeline answers it with a clear error naming the missing head).
bool kind_serves(ModelKind kind, std::string_view task);
// The engine tasks a kind serves, in table order.
std::vector<std::string_view> tasks_of(ModelKind kind);
// The task `hubd run` uses without --task: the model's head for encoders, else its kind's
// first task.
std::string_view default_task(const Model& model);

}  // namespace hub::inference
