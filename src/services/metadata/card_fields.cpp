#include "services/metadata/card_fields.h"

#include <algorithm>
#include <cctype>

namespace hub::services::metadata {
namespace {

class Reader {
 public:
  Reader(std::vector<std::string>& errors, const CardFieldLimits& limits) : errors_(errors), limits_(limits) {}

  void error(std::string message) {
    if (errors_.size() < 64) errors_.push_back(std::move(message));
  }

  // Scalars become strings (YAML may have typed `2023` or `true`); collections do not.
  std::optional<std::string> scalar_string(const json::value& v) {
    std::string s;
    if (v.is_string()) s = std::string(v.get_string());
    else if (v.is_int64()) s = std::to_string(v.get_int64());
    else if (v.is_uint64()) s = std::to_string(v.get_uint64());
    else if (v.is_double()) s = json::serialize(v);
    else if (v.is_bool()) s = v.get_bool() ? "true" : "false";
    else return std::nullopt;
    // Trim surrounding whitespace.
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return std::string();
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }

  // A string, or a list of strings; anything else is reported.
  std::vector<std::string> string_list(const json::object& card, std::string_view key) {
    std::vector<std::string> out;
    const json::value* v = card.if_contains(key);
    if (!v || v->is_null()) return out;
    // False once the list is full (reported once).
    auto take = [&](const json::value& item) {
      auto s = scalar_string(item);
      if (!s) {
        error(std::string(key) + ": expected strings, found a " + kind(item) + "; skipped");
        return true;
      }
      if (s->empty()) return true;
      if (s->size() > limits_.max_string_bytes) {
        error(std::string(key) + ": value longer than " + std::to_string(limits_.max_string_bytes) +
              " bytes; skipped");
        return true;
      }
      if (std::find(out.begin(), out.end(), *s) != out.end()) return true;
      if (out.size() >= limits_.max_list_items) {
        error(std::string(key) + ": more than " + std::to_string(limits_.max_list_items) +
              " items; rest ignored");
        return false;
      }
      out.push_back(std::move(*s));
      return true;
    };
    if (const auto* arr = v->if_array()) {
      for (const auto& item : *arr)
        if (!take(item)) break;
    } else if (v->is_object()) {
      error(std::string(key) + ": expected a string or a list, found a mapping; ignored");
    } else {
      take(*v);
    }
    return out;
  }

  std::optional<std::string> single_string(const json::object& card, std::string_view key) {
    const json::value* v = card.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    auto s = scalar_string(*v);
    if (!s) {
      error(std::string(key) + ": expected a string, found a " + kind(*v) + "; ignored");
      return std::nullopt;
    }
    if (s->empty()) return std::nullopt;
    return s;
  }

  static std::string kind(const json::value& v) {
    if (v.is_object()) return "mapping";
    if (v.is_array()) return "list";
    if (v.is_null()) return "null";
    if (v.is_bool()) return "boolean";
    if (v.is_string()) return "string";
    return "number";
  }

  std::string str(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v) return {};
    auto s = scalar_string(*v);
    return s && s->size() <= 4096 ? *s : std::string();
  }

  std::vector<ModelIndexEntry> model_index(const json::object& card) {
    std::vector<ModelIndexEntry> out;
    const json::value* v = card.if_contains("model-index");
    if (!v || v->is_null()) return out;
    const json::array* entries = v->if_array();
    if (!entries) {
      error("model-index: expected a list; ignored");
      return out;
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const json::object* entry = (*entries)[i].if_object();
      std::string where = "model-index[" + std::to_string(i) + "]";
      if (!entry) {
        error(where + ": expected a mapping; skipped");
        continue;
      }
      ModelIndexEntry e;
      e.name = str(*entry, "name");
      const json::array* results = json::get_array(*entry, "results");
      if (!results) {
        error(where + ".results: expected a list; skipped");
        continue;
      }
      for (std::size_t j = 0; j < results->size() && total < limits_.max_model_index_results; ++j) {
        std::string rwhere = where + ".results[" + std::to_string(j) + "]";
        if (auto r = result((*results)[j], rwhere)) {
          e.results.push_back(std::move(*r));
          ++total;
        }
      }
      if (!e.results.empty()) out.push_back(std::move(e));
    }
    return out;
  }

  std::optional<EvalResult> result(const json::value& v, const std::string& where) {
    const json::object* r = v.if_object();
    if (!r) {
      error(where + ": expected a mapping; skipped");
      return std::nullopt;
    }
    EvalResult out;
    const json::object* task = json::get_object(*r, "task");
    const json::object* dataset = json::get_object(*r, "dataset");
    const json::array* metrics = json::get_array(*r, "metrics");
    if (task) {
      out.task_type = str(*task, "type");
      out.task_name = str(*task, "name");
    }
    if (dataset) {
      out.dataset_type = str(*dataset, "type");
      out.dataset_name = str(*dataset, "name");
      out.dataset_config = str(*dataset, "config");
      out.dataset_split = str(*dataset, "split");
    }
    if (out.task_type.empty() || out.dataset_type.empty() || out.dataset_name.empty() || !metrics) {
      error(where + ": needs task.type, dataset.type, dataset.name and metrics; skipped");
      return std::nullopt;
    }
    for (std::size_t k = 0; k < metrics->size() && k < 256; ++k) {
      const json::object* m = (*metrics)[k].if_object();
      const json::value* value = m ? m->if_contains("value") : nullptr;
      std::string type = m ? str(*m, "type") : std::string();
      if (!m || type.empty() || !value || !(value->is_number() || value->is_string())) {
        error(where + ".metrics[" + std::to_string(k) + "]: needs type and a number or string value; skipped");
        continue;
      }
      out.metrics.push_back(EvalMetric{std::move(type), *value, str(*m, "name")});
    }
    if (out.metrics.empty()) return std::nullopt;
    if (const json::object* source = json::get_object(*r, "source")) {
      out.source_name = str(*source, "name");
      out.source_url = str(*source, "url");
      // Pages render it as a link: only http(s), never javascript: or data: (issue 14, low).
      if (!out.source_url.empty() && !is_http_url(out.source_url)) {
        error(where + ".source.url: not an http(s) URL; dropped");
        out.source_url.clear();
      }
    }
    return out;
  }

 private:
  std::vector<std::string>& errors_;
  const CardFieldLimits& limits_;
};

}  // namespace

CardFields read_card_fields(const json::object& card, std::vector<std::string>& errors,
                            const CardFieldLimits& limits) {
  Reader r(errors, limits);
  CardFields f;
  f.pipeline_tag = r.single_string(card, "pipeline_tag");
  f.library_name = r.single_string(card, "library_name");
  if (const json::value* tags = card.if_contains("tags"); tags && !tags->is_null() && !tags->is_array() &&
                                                          !tags->is_string())
    r.error("tags: expected a list of strings, found a " + Reader::kind(*tags) + "; ignored");
  else f.tags = r.string_list(card, "tags");
  f.languages = r.string_list(card, "language");
  f.licenses = r.string_list(card, "license");
  f.license_name = r.single_string(card, "license_name");
  f.license_link = r.single_string(card, "license_link");
  f.datasets = r.string_list(card, "datasets");
  for (auto key : kDatasetCardLists)
    if (auto values = r.string_list(card, key); !values.empty()) f.dataset_lists.emplace_back(key, std::move(values));
  f.metrics = r.string_list(card, "metrics");
  f.base_models = r.string_list(card, "base_model");
  f.base_model_relation = r.single_string(card, "base_model_relation");
  f.new_version = r.single_string(card, "new_version");
  f.mask_token = r.single_string(card, "mask_token");

  if (const json::value* inf = card.if_contains("inference"); inf && !inf->is_null()) {
    if (inf->is_bool()) f.inference_disabled = !inf->get_bool();
    else if (const json::object* o = inf->if_object()) {
      if (const json::object* p = json::get_object(*o, "parameters")) f.inference_parameters = *p;
    } else r.error("inference: expected a boolean or a mapping; ignored");
  }

  if (const json::value* w = card.if_contains("widget"); w && !w->is_null()) {
    if (const json::array* arr = w->if_array()) {
      for (const auto& ex : *arr) {
        if (!ex.is_object()) {
          r.error("widget: examples must be mappings; skipped one");
          continue;
        }
        if (f.widget.size() >= limits.max_widget_examples) {
          r.error("widget: more than " + std::to_string(limits.max_widget_examples) + " examples; rest ignored");
          break;
        }
        f.widget.push_back(ex);
      }
    } else {
      r.error("widget: expected a list of examples; ignored");
    }
  }
  f.model_index = r.model_index(card);
  return f;
}

json::array model_index_to_json(const std::vector<ModelIndexEntry>& entries) {
  json::array out;
  for (const auto& e : entries) {
    json::object entry;
    if (!e.name.empty()) entry["name"] = e.name;
    json::array results;
    for (const auto& r : e.results) {
      json::object task{{"type", r.task_type}};
      if (!r.task_name.empty()) task["name"] = r.task_name;
      json::object dataset{{"type", r.dataset_type}, {"name", r.dataset_name}};
      if (!r.dataset_config.empty()) dataset["config"] = r.dataset_config;
      if (!r.dataset_split.empty()) dataset["split"] = r.dataset_split;
      json::array metrics;
      for (const auto& m : r.metrics) {
        json::object metric{{"type", m.type}, {"value", m.value}};
        if (!m.name.empty()) metric["name"] = m.name;
        metrics.push_back(std::move(metric));
      }
      json::object result{{"task", std::move(task)}, {"dataset", std::move(dataset)},
                          {"metrics", std::move(metrics)}};
      if (!r.source_url.empty()) {
        json::object source{{"url", r.source_url}};
        if (!r.source_name.empty()) source["name"] = r.source_name;
        result["source"] = std::move(source);
      }
      results.push_back(std::move(result));
    }
    entry["results"] = std::move(results);
    out.push_back(std::move(entry));
  }
  return out;
}

bool is_http_url(std::string_view url) {
  auto starts_ci = [&](std::string_view pre) {
    if (url.size() <= pre.size()) return false;
    for (size_t i = 0; i < pre.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != pre[i]) return false;
    return true;
  };
  if (!starts_ci("http://") && !starts_ci("https://")) return false;
  // Browsers drop tabs and newlines inside URLs and treat a backslash as a slash: refuse
  // anything that is not plain printable ASCII rather than guess how it would be read.
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>') return false;
  return true;
}

}  // namespace hub::services::metadata
