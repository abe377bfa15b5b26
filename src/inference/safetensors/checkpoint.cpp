#include "inference/safetensors/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/fs.h"
#include "core/json.h"

namespace hub::inference::safetensors {

namespace {

bool plain_file_name(std::string_view n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string_view::npos &&
         n.find('\\') == std::string_view::npos && n.find('\0') == std::string_view::npos;
}

}  // namespace

Result<Checkpoint> Checkpoint::open_file(const std::string& path) {
  HUB_TRY(f, SafetensorsFile::open(path));
  Checkpoint c;
  c.files_.push_back(std::make_shared<const SafetensorsFile>(std::move(f)));
  return c;
}

Result<Checkpoint> Checkpoint::open_dir(const std::string& dir) {
  namespace sfs = std::filesystem;
  std::error_code ec;
  std::string single = dir + "/model.safetensors";
  std::string index = dir + "/model.safetensors.index.json";
  if (sfs::is_regular_file(single, ec)) return open_file(single);
  if (!sfs::is_regular_file(index, ec))
    return fail(Errc::not_found, dir + ": no model.safetensors or model.safetensors.index.json");
  HUB_TRY(text, fs::read_file(index, 64u << 20));
  auto doc = json::parse(text);
  if (!doc || !doc->is_object())
    return fail(Errc::corrupt, index + ": not a JSON object");
  const auto* map = json::get_object(doc->get_object(), "weight_map");
  if (!map) return fail(Errc::corrupt, index + ": missing weight_map");
  std::map<std::string, std::vector<std::string>> by_file;
  for (const auto& kv : *map) {
    if (!kv.value().is_string()) return fail(Errc::corrupt, index + ": weight_map values must be strings");
    std::string file(kv.value().get_string());
    if (!plain_file_name(file)) return fail(Errc::corrupt, index + ": bad shard name '" + file + "'");
    by_file[file].push_back(std::string(kv.key()));
  }
  if (by_file.empty()) return fail(Errc::corrupt, index + ": empty weight_map");
  Checkpoint c;
  for (const auto& [file, names] : by_file) {
    HUB_TRY(f, SafetensorsFile::open(dir + "/" + file));
    for (const auto& n : names)
      if (!f.find(n)) return fail(Errc::corrupt, index + ": tensor '" + n + "' not in " + file);
    c.files_.push_back(std::make_shared<const SafetensorsFile>(std::move(f)));
  }
  return c;
}

const SafetensorsFile* Checkpoint::file_of(std::string_view name) const {
  for (const auto& f : files_)
    if (f->find(name)) return f.get();
  return nullptr;
}

const TensorInfo* Checkpoint::find(std::string_view name) const {
  const SafetensorsFile* f = file_of(name);
  return f ? f->find(name) : nullptr;
}

Result<Tensor> Checkpoint::load_f32(std::string_view name) const {
  const SafetensorsFile* f = file_of(name);
  if (!f) return fail(Errc::not_found, "checkpoint has no tensor '" + std::string(name) + "'");
  return f->load_f32(name);
}

Result<Bf16Matrix> Checkpoint::load_bf16(std::string_view name) const {
  const SafetensorsFile* f = file_of(name);
  if (!f) return fail(Errc::not_found, "checkpoint has no tensor '" + std::string(name) + "'");
  return f->load_bf16(name);
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& f : files_)
    for (const auto& t : f->tensors()) out.push_back(t.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hub::inference::safetensors
