#include "storage/git/gitattributes.h"

#include <string_view>

namespace hub::storage::git {
namespace {

// Archives, serialised arrays and framework checkpoints: the formats model repos carry.
constexpr std::string_view kModelPatterns[] = {
    "*.7z",       "*.arrow",   "*.bin",      "*.bz2",     "*.ckpt",         "*.ftz",
    "*.gz",       "*.h5",      "*.joblib",   "*.lfs.*",   "*.mlmodel",      "*.model",
    "*.msgpack",  "*.npy",     "*.npz",      "*.onnx",    "*.ot",           "*.parquet",
    "*.pb",       "*.pickle",  "*.pkl",      "*.pt",      "*.pth",          "*.rar",
    "*.safetensors", "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz",
    "*.wasm",     "*.xz",      "*.zip",      "*.zst",     "*tfevents*",
};

// Media that datasets commonly hold, grouped the way the file is read by humans.
constexpr std::string_view kDatasetExtra[] = {
    "*.mds",  "*.pcm",  "*.sam",  "*.raw",  "*.aac", "*.flac", "*.mp3", "*.ogg", "*.wav",
    "*.bmp",  "*.gif",  "*.png",  "*.tiff", "*.jpg", "*.jpeg", "*.webp", "*.mp4", "*.webm",
};

void append_rule(std::string& out, std::string_view pattern) {
  out.append(pattern);
  out.append(" filter=lfs diff=lfs merge=lfs -text\n");
}

std::string build(bool dataset) {
  std::string out;
  for (auto p : kModelPatterns) append_rule(out, p);
  if (dataset) {
    for (auto p : kDatasetExtra) append_rule(out, p);
  }
  return out;
}

}  // namespace

const std::string& default_gitattributes() {
  static const std::string text = build(false);
  return text;
}

const std::string& default_dataset_gitattributes() {
  static const std::string text = build(true);
  return text;
}

}  // namespace hub::storage::git
