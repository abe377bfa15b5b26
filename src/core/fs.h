// Filesystem helpers: whole-file read, atomic write (temp + fsync + rename), directory fsync.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::fs {

Result<std::string> read_file(const std::string& path, size_t max_bytes = size_t(1) << 30);
// Writes to path + ".tmp-XXXX", fsyncs, renames over path, fsyncs the directory.
Result<void> write_file_atomic(const std::string& path, std::string_view data);
Result<void> make_dirs(const std::string& path);
void fsync_dir(const std::string& dir);

}  // namespace hub::fs
