// Model libraries the Hub knows (model-libraries.ts keys and labels) and which (library, task)
// pairs are servable (library-to-tasks.ts), generated from @huggingface/tasks (see README.md).
// Immutable static data: safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace hub::services::metadata {

struct Library {
  std::string_view key;    // "sentence-transformers"
  std::string_view label;  // "sentence-transformers" / "Diffusers"
};

std::span<const Library> libraries();  // sorted by key
const Library* find_library(std::string_view key);
// PIPELINE_TAG.md section 5: whether serverless inference lists this (library, task) pair.
bool library_serves_task(std::string_view library, std::string_view pipeline_tag);

}  // namespace hub::services::metadata
