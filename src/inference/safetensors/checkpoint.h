// Checkpoint: the safetensors weights of a model directory — `model.safetensors`, or the
// shards listed in `model.safetensors.index.json` (shard names must be plain file names in
// the directory). Immutable after open; const methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inference/safetensors/safetensors.h"

namespace hub::inference::safetensors {

class Checkpoint {
 public:
  static Result<Checkpoint> open_dir(const std::string& dir);
  // A single file (tests, tools).
  static Result<Checkpoint> open_file(const std::string& path);

  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const TensorInfo* find(std::string_view name) const;
  Result<Tensor> load_f32(std::string_view name) const;
  Result<Bf16Matrix> load_bf16(std::string_view name) const;  // see SafetensorsFile::load_bf16
  std::vector<std::string> names() const;
  size_t n_files() const { return files_.size(); }

 private:
  std::vector<std::shared_ptr<const SafetensorsFile>> files_;
  const SafetensorsFile* file_of(std::string_view name) const;
};

}  // namespace hub::inference::safetensors
