// Which model an Inference API request runs, shared by the task routes (inference.cpp) and chat
// completions (chat.cpp): the repo read with the caller's rights (a private repo is 404 to
// others, as if absent), the revision (?revision=, default the default branch), its cached
// metadata, and the loaded model from the runtime's cache. A cold model answers 503
// {"error","estimated_time"} + Retry-After unless the caller waits (X-Wait-For-Model).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "api/context.h"
#include "http/message.h"
#include "services/repo_view.h"
#include "services/repos.h"

namespace hub::inference {
class Model;
}

namespace hub::api::handlers {

struct InferenceRepo {
  std::string id;  // "ns/name"
  services::RepoHandle handle;
  std::string commit;
  std::shared_ptr<const services::RepoView> view;
};

// The repo named by req.params ns/name at ?revision=, or the error response to send.
std::variant<InferenceRepo, http::Response> open_inference_repo(Context& ctx, http::Request& req);

// The loaded model of `repo` (waiting up to a few minutes when `wait`), or the response to send
// (503 loading, 400 for a model that cannot load, 500 for I/O trouble). A cold model starts
// loading unless the request says X-Load-Model: 0 (then it is only 503).
std::variant<std::shared_ptr<const inference::Model>, http::Response> load_inference_model(
    Context& ctx, const http::Request& req, const InferenceRepo& repo, bool wait);

// X-Wait-For-Model: true|1.
bool wait_for_model_header(const http::Request& req);

// The Inference API's result headers: x-compute-type: cpu, x-compute-time (seconds, 3
// decimals), x-compute-characters (when known), x-compute-batch-size (requests that shared the
// engine call; 0 = none ran, e.g. a cache hit: left out), and their CORS exposure.
void set_compute_headers(http::Response& res, double seconds, std::optional<size_t> characters, size_t batch);

}  // namespace hub::api::handlers
