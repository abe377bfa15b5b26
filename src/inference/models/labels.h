// Internal to models/: the label count a classification config implies (len(id2label), else
// num_labels, else 2), as transformers' PretrainedConfig does. Thread-safe.
#pragma once

#include "core/json.h"
#include "core/result.h"

namespace hub::inference::models {

Result<int64_t> config_num_labels(const boost::json::object& cfg);

}  // namespace hub::inference::models
