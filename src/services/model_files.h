// Model files for the inference engine: the files of a repo at a commit that the engine reads
// (root *.json, *.safetensors, vocab/sentencepiece files, sentence-transformers module
// configs), laid out as a plain directory under <data>/cache/models/<repo uid>/<commit>/.
// A commit's content never changes, so a directory once built is reused as is. LFS files
// are hard-linked from the local blob store (no copy), or streamed from S3. Built in tmp/
// and renamed into place, so a crash never leaves a half-built model. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "services/hub.h"
#include "services/repo_view.h"
#include "services/repos.h"

namespace hub::services {

struct ModelFiles {
  std::string dir;
  uint64_t weight_bytes = 0;  // sum of *.safetensors sizes (sizes the model memory budget)
};

// Which files of the view the engine needs, and their weight bytes, without touching disk.
ModelFiles plan_model_files(const Hub& hub, const RepoHandle& repo, const RepoView& view);
// Ensures plan.dir holds those files (builds it when missing).
Result<std::string> materialize_model_files(Hub& hub, const RepoHandle& repo, const RepoView& view);

}  // namespace hub::services
