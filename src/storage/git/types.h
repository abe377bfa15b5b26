// Plain value types returned by storage/git (refs, tree entries, commits). No libgit2 here.
// Object ids are 40-char lowercase hex strings. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hub::storage::git {

// Who made a commit or tag. time_ms == 0 means "now". Stored with UTC offset 0.
struct Signature {
  std::string name;
  std::string email;
  int64_t time_ms = 0;
};

// One ref. name is the short form: "main" for refs/heads/main, "v1" for refs/tags/v1,
// "1" for refs/pr/1, "parquet" for refs/convert/parquet. ref is the full name.
// target is the commit it points to (annotated tags peeled).
struct RefInfo {
  std::string name;
  std::string ref;
  std::string target;
};

struct RefList {
  std::vector<RefInfo> branches;       // refs/heads/*
  std::vector<RefInfo> tags;           // refs/tags/*
  std::vector<RefInfo> pull_requests;  // refs/pr/*
  std::vector<RefInfo> converts;       // refs/convert/*
};

// A parsed Git LFS pointer (spec v1).
struct LfsPointer {
  std::string oid;        // sha256, 64 lowercase hex
  uint64_t size = 0;      // size of the real content
  uint64_t pointer_size = 0;  // size of the pointer blob itself
};

enum class EntryType { file, directory };

// One path in a tree at a commit. For directories: oid = tree sha1, size = 0.
// For files: oid = blob sha1, size = blob size (the pointer's size for LFS files;
// the real size is lfs->size). executable/symlink mirror the git file mode.
struct TreeEntry {
  EntryType type = EntryType::file;
  std::string path;  // from the repo root, no leading '/'; "" for the root directory
  std::string oid;
  uint64_t size = 0;
  std::optional<LfsPointer> lfs;
  bool executable = false;
  bool symlink = false;
};

struct CommitInfo {
  std::string id;
  std::string title;    // first line of the message
  std::string message;  // full message as stored
  std::string author_name;
  std::string author_email;
  std::string date;     // author time, "YYYY-MM-DDTHH:MM:SS.000Z"
  std::string committer_name;
  std::string committer_email;
  std::string committer_date;
  std::vector<std::string> parents;
};

struct LogPage {
  std::vector<CommitInfo> commits;  // newest first, after skip, at most limit
  uint64_t total = 0;               // all matching commits (for X-Total-Count)
};

}  // namespace hub::storage::git
