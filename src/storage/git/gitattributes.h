// The .gitattributes a new repository starts with: the Hub's default Git LFS patterns, so
// weights, archives and arrays pushed with plain `git` land in LFS. Thread-safety: pure.
#pragma once

#include <string>

namespace hub::storage::git {

// Patterns for model and space repositories, one "<pattern> filter=lfs diff=lfs merge=lfs -text"
// line each, '\n'-terminated.
const std::string& default_gitattributes();
// Dataset repositories additionally route audio, image and video files to LFS.
const std::string& default_dataset_gitattributes();

}  // namespace hub::storage::git
