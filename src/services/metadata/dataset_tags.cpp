#include "services/metadata/dataset_tags.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_set>

#include "services/metadata/resolve.h"

namespace hub::services::metadata {
namespace {

struct Format {
  std::string_view ext, format, modality;
  bool tabular;  // pandas and polars read it too
};
// Data files the datasets library loads, by extension (after a compression suffix is dropped).
constexpr Format kFormats[] = {
    {"parquet", "parquet", "", true}, {"csv", "csv", "", true},     {"tsv", "csv", "", true},
    {"json", "json", "", true},       {"jsonl", "json", "", true},  {"ndjson", "json", "", true},
    {"arrow", "arrow", "", false},    {"txt", "text", "", false},   {"tar", "webdataset", "", false},
    {"jpg", "imagefolder", "image", false}, {"jpeg", "imagefolder", "image", false},
    {"png", "imagefolder", "image", false}, {"webp", "imagefolder", "image", false},
    {"wav", "audiofolder", "audio", false}, {"mp3", "audiofolder", "audio", false},
    {"flac", "audiofolder", "audio", false}, {"ogg", "audiofolder", "audio", false},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "data/train-0001.jsonl.gz" -> "jsonl".
std::string data_extension(std::string_view path) {
  std::string base = lower(path_basename(path));
  for (std::string_view z : {".gz", ".zst", ".bz2", ".xz"})
    if (base.size() > z.size() && base.ends_with(z)) base.resize(base.size() - z.size());
  auto dot = base.rfind('.');
  return dot == std::string::npos ? std::string() : base.substr(dot + 1);
}

// Files that describe the repo rather than hold its data.
bool is_repo_file(std::string_view path) {
  auto b = path_basename(path);
  return path.starts_with(".") || b == "README.md" || b == "dataset_infos.json" || b == "dataset_info.json" ||
         b == "dataset_dict.json" || b == "state.json";
}

}  // namespace

std::vector<std::string> derive_dataset_tags(const CardFields& card, const RepoFiles& repo) {
  std::vector<std::string> tags;
  std::unordered_set<std::string> seen;
  auto add = [&](std::string t) {
    if (!t.empty() && t.size() <= 300 && seen.insert(t).second) tags.push_back(std::move(t));
  };
  auto add_list = [&](std::string_view key) {
    for (const auto& [k, values] : card.dataset_lists)
      if (k == key)
        for (const auto& v : values) add(std::string(key) + ":" + v);
  };
  for (auto key : kDatasetCardLists)
    if (key != "size_categories") add_list(key);
  for (const auto& l : card.languages) add("language:" + l);
  for (const auto& l : card.licenses) add("license:" + lower(l));
  add_list("size_categories");
  for (const auto& t : card.tags) add(t);

  std::set<std::string_view> formats, modalities;
  bool tabular = false;
  for (const auto& f : repo.files) {
    if (is_repo_file(f.path)) continue;
    auto ext = data_extension(f.path);
    for (const auto& fmt : kFormats) {
      if (fmt.ext != ext) continue;
      formats.insert(fmt.format);
      if (!fmt.modality.empty()) modalities.insert(fmt.modality);
      tabular = tabular || fmt.tabular;
    }
  }
  for (auto f : formats) add("format:" + std::string(f));
  for (auto m : modalities) add("modality:" + std::string(m));
  if (!formats.empty()) add("library:datasets");
  if (tabular) {
    add("library:pandas");
    add("library:polars");
  }
  if (!repo.region.empty()) add("region:" + repo.region);
  return tags;
}

json::object datasets_tags_by_type(std::span<const std::string> observed_tags) {
  static const std::set<std::string_view> kTypes = {
      "task_categories", "task_ids", "annotations_creators", "language_creators", "multilinguality",
      "source_datasets", "size_categories", "language", "license", "format", "modality", "library",
      "region", "benchmark"};
  std::map<std::string, std::set<std::string>> by_type;
  for (const auto& tag : observed_tags) {
    if (tag.empty() || tag.size() > 300) continue;
    auto colon = tag.find(':');
    std::string type = colon == std::string::npos ? "" : tag.substr(0, colon);
    if (!kTypes.count(type)) type = "other";
    by_type[type].insert(tag);
  }
  json::object out;
  for (auto type : kTypes) out[type] = json::array();
  out["other"] = json::array();
  for (const auto& [type, tags] : by_type) {
    auto& arr = out[type].as_array();
    for (const auto& t : tags) {
      std::string label = type == "other" ? t : t.substr(type.size() + 1);
      arr.push_back(json::object{{"id", t}, {"label", label}, {"type", type}});
    }
  }
  return out;
}

}  // namespace hub::services::metadata
