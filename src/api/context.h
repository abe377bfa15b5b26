// What every API handler gets: the hub's services. Handlers are plain functions
// (Request&) -> Response bound to this context in routes.cpp.
#pragma once

#include "services/hub.h"

namespace hub::inference::runtime {
class ModelCache;
class Scheduler;
class GenerationEngines;
class ResponseCache;
}  // namespace hub::inference::runtime

namespace hub::api {

struct Context {
  services::Hub& hub;
  // The Inference API's runtime (owned by the caller); null disables POST /models/{id}.
  inference::runtime::ModelCache* models = nullptr;
  inference::runtime::Scheduler* scheduler = nullptr;
  // Continuous batching for text generation (one engine per loaded decoder model); null:
  // decoder models run through the scheduler and cannot stream.
  inference::runtime::GenerationEngines* generation = nullptr;
  // Answers by (model, commit, task, body) for repeated requests; null: no caching.
  inference::runtime::ResponseCache* responses = nullptr;
};

}  // namespace hub::api
