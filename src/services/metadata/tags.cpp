#include "services/metadata/tags.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "services/metadata/resolve.h"

namespace hub::services::metadata {
namespace {

class TagList {
 public:
  void add(std::string tag) {
    if (tag.empty() || tag.size() > 300 || !seen_.insert(tag).second) return;
    tags_.push_back(std::move(tag));
  }
  std::vector<std::string> take() { return std::move(tags_); }

 private:
  std::vector<std::string> tags_;
  std::unordered_set<std::string> seen_;
};

bool any_file(const RepoFiles& repo, auto pred) {
  return std::any_of(repo.files.begin(), repo.files.end(), [&](const RepoFile& f) { return pred(f.path); });
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool plausible_model_type(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool has_chat_template(const RepoFiles& repo, const json::object* tokenizer_config) {
  if (tokenizer_config) {
    if (const json::value* t = tokenizer_config->if_contains("chat_template")) {
      if (t->is_string() && !t->get_string().empty()) return true;
      if (t->is_array() && !t->get_array().empty()) return true;
    }
  }
  return any_file(repo, [](std::string_view p) {
    return p == "chat_template.jinja" || p == "chat_template.json" || starts_with(p, "additional_chat_templates/");
  });
}

std::vector<std::string> find_arxiv_ids(std::string_view body, std::size_t max_ids) {
  std::vector<std::string> ids;
  std::size_t pos = 0;
  while (ids.size() < max_ids && (pos = body.find("arxiv.org/", pos)) != std::string_view::npos) {
    pos += 10;
    std::string_view rest = body.substr(pos);
    if (starts_with(rest, "abs/")) pos += 4;
    else if (starts_with(rest, "pdf/")) pos += 4;
    else continue;
    // New-style id: NNNN.NNNN or NNNN.NNNNN (the version suffix is dropped).
    std::size_t i = pos, digits = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i])) && digits < 4) ++i, ++digits;
    if (digits != 4 || i >= body.size() || body[i] != '.') continue;
    ++i;
    std::size_t frac = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i])) && frac < 5) ++i, ++frac;
    if (frac < 4) continue;
    std::string id = "arxiv:" + std::string(body.substr(pos, i - pos));
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
  }
  return ids;
}

std::vector<std::string> derive_tags(const TagInputs& in) {
  TagList tags;
  const RepoFiles& repo = in.repo;
  if (in.library_name) tags.add(*in.library_name);

  // File formats.
  if (any_file(repo, [](std::string_view p) {
        auto b = path_basename(p);
        return (starts_with(b, "pytorch_model") && path_has_suffix(b, ".bin")) || path_has_suffix(b, ".pt") ||
               path_has_suffix(b, ".pth");
      }))
    tags.add("pytorch");
  if (any_file(repo, [](std::string_view p) {
        auto b = path_basename(p);
        return (starts_with(b, "tf_model") && path_has_suffix(b, ".h5")) || b == "saved_model.pb";
      }))
    tags.add("tf");
  if (any_file(repo, [](std::string_view p) {
        auto b = path_basename(p);
        return starts_with(b, "flax_model") && path_has_suffix(b, ".msgpack");
      }))
    tags.add("jax");
  if (any_file(repo, [](std::string_view p) { return path_has_suffix(p, ".safetensors"); })) tags.add("safetensors");
  if (any_file(repo, [](std::string_view p) { return path_has_suffix(p, ".gguf"); })) tags.add("gguf");
  if (any_file(repo, [](std::string_view p) { return path_has_suffix(p, ".onnx"); })) tags.add("onnx");
  if (any_file(repo, [](std::string_view p) {
        return path_has_suffix(p, ".mlmodel") || p.find(".mlpackage/") != std::string_view::npos;
      }))
    tags.add("coreml");
  if (any_file(repo, [](std::string_view p) { return starts_with(path_basename(p), "events.out.tfevents."); }))
    tags.add("tensorboard");

  if (in.config)
    if (auto mt = json::get_string(*in.config, "model_type"); mt && plausible_model_type(*mt)) tags.add(std::string(*mt));
  if (in.pipeline_tag) tags.add(*in.pipeline_tag);
  for (const auto& t : in.card.tags) tags.add(t);
  if (has_chat_template(repo, in.tokenizer_config)) tags.add("conversational");
  if (in.config && json::get_object(*in.config, "auto_map")) tags.add("custom_code");

  for (const auto& l : in.card.languages) tags.add(l);
  for (const auto& d : in.card.datasets) tags.add("dataset:" + d);
  for (const auto& b : in.card.base_models) {
    tags.add("base_model:" + b);
    if (in.base_model_relation) tags.add("base_model:" + *in.base_model_relation + ":" + b);
  }
  for (auto& id : find_arxiv_ids(in.card_body)) tags.add(std::move(id));
  for (const auto& l : in.card.licenses) tags.add("license:" + lower(l));
  if (!in.card.model_index.empty()) tags.add("model-index");
  if (any_file(repo, [](std::string_view p) { return starts_with(p, ".eval_results/"); })) tags.add("eval-results");
  if (!repo.region.empty()) tags.add("region:" + repo.region);
  return tags.take();
}

}  // namespace hub::services::metadata
