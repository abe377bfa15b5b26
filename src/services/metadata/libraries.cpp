#include "services/metadata/libraries.h"

#include <algorithm>
#include <iterator>

namespace hub::services::metadata {
namespace {

constexpr Library kLibraries[] = {
#include "services/metadata/generated/library_rows.inc"
};

struct LibraryTask {
  std::string_view library;
  std::string_view task;
};

constexpr LibraryTask kLibraryTasks[] = {
#include "services/metadata/generated/library_task_rows.inc"
};

}  // namespace

std::span<const Library> libraries() { return kLibraries; }

const Library* find_library(std::string_view key) {
  auto it = std::lower_bound(std::begin(kLibraries), std::end(kLibraries), key,
                             [](const Library& l, std::string_view k) { return l.key < k; });
  return it != std::end(kLibraries) && it->key == key ? &*it : nullptr;
}

bool library_serves_task(std::string_view library, std::string_view pipeline_tag) {
  return std::any_of(std::begin(kLibraryTasks), std::end(kLibraryTasks), [&](const LibraryTask& r) {
    return r.library == library && r.task == pipeline_tag;
  });
}

}  // namespace hub::services::metadata
