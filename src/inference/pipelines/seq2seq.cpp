#include "inference/pipelines/tasks.h"

namespace hub::inference::pipelines {

Result<value> run_seq2seq_task(const Model&, std::string_view task, const value&, const boost::json::object*) {
  return fail(Errc::unsupported, "The task `" + std::string(task) + "` needs an encoder-decoder model");
}

}  // namespace hub::inference::pipelines
