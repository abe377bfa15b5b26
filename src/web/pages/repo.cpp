// The repo page: rendered card, metadata chips, eval results, sidebar, widget; and liking.
#include "services/metadata/card_fields.h"
#include "services/metadata/pipeline_types.h"
#include "services/metadata/widgets.h"
#include "web/markdown.h"
#include "web/pages/pages.h"
#include "web/social.h"

namespace hub::web::pages {

namespace {

// `type` picks the explore page the chips link to (/models or /datasets).
json::array chips(const services::metadata::RepoMetadata& md, std::string_view type) {
  json::array out;
  auto add = [&](std::string_view kind, std::string_view label, std::string_view value, std::string link) {
    out.push_back(json::object{{"kind", kind}, {"label", label}, {"value", value}, {"link", link}});
  };
  const auto& f = md.fields;
  const std::string explore = "/" + std::string(type) + "s";
  if (md.pipeline_tag) add("task", "Task", *md.pipeline_tag, "/models?pipeline_tag=" + http::percent_encode(*md.pipeline_tag));
  if (md.library_name) add("library", "Library", *md.library_name, "/models?library=" + http::percent_encode(*md.library_name));
  // A dataset card's task_categories, size_categories, ... (each a "key:value" tag).
  for (const auto& [key, values] : f.dataset_lists)
    for (const auto& v : values) add("task", key, v, explore + "?search=" + http::percent_encode(v));
  for (auto& l : f.licenses) add("license", "License", l, explore + "?license=" + http::percent_encode(l));
  for (auto& l : f.languages) add("language", "Language", l, explore + "?language=" + http::percent_encode(l));
  for (auto& d : f.datasets) add("dataset", "Dataset", d, "/datasets/" + url_encode_path(d));
  for (auto& b : f.base_models) add("base_model", "Base model", b, "/" + url_encode_path(b));
  for (auto& t : f.tags) add("tag", "Tag", t, "/models?search=" + http::percent_encode(t));
  return out;
}

std::string metric_value(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_double()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v.get_double());
    return buf;
  }
  return json::serialize(v);
}

json::array eval_rows(const services::metadata::RepoMetadata& md) {
  json::array rows;
  for (auto& entry : md.fields.model_index)
    for (auto& r : entry.results)
      for (auto& m : r.metrics)
        rows.push_back(json::object{{"task", r.task_name.empty() ? r.task_type : r.task_name},
                                    {"dataset", r.dataset_name},
                                    {"split", r.dataset_split},
                                    {"metric", m.name.empty() ? m.type : m.name},
                                    {"value", metric_value(m.value)},
                                    {"source", r.source_name},
                                    // Cached metadata may predate the parser's check.
                                    {"source_url", services::metadata::is_http_url(r.source_url) ? r.source_url
                                                                                                 : std::string()}});
  return rows;
}

// The widget's kind decides how its result is drawn (widget.js) and which input it takes.
std::string_view widget_kind(std::string_view task) {
  if (task == "text-classification" || task == "zero-shot-classification" || task == "image-classification")
    return "classification";
  if (task == "token-classification") return "tokens";
  if (task == "question-answering") return "qa";
  if (task == "fill-mask") return "fill-mask";
  if (task == "feature-extraction" || task == "sentence-similarity") return "vector";
  if (task == "text-generation" || task == "text2text-generation" || task == "summarization" || task == "translation")
    return "generation";
  return "";
}

json::object widget(const RepoView& v, const services::metadata::RepoMetadata& md) {
  if (v.type != "model" || !md.pipeline_tag || md.inference_disabled) return {};
  std::string_view kind = widget_kind(*md.pipeline_tag);
  if (kind.empty()) return {};
  json::array examples;
  json::array data = md.widget_data.empty()
                         ? services::metadata::default_widget_inputs(*md.pipeline_tag, false, md.fields.languages)
                         : md.widget_data;
  for (auto& ex : data) {
    if (!ex.is_object()) continue;
    auto& o = ex.get_object();
    json::object e{{"context", ""}, {"labels", ""}, {"title", ""}};
    if (auto t = json::get_string(o, "text")) e["text"] = std::string(*t);
    if (auto c = json::get_string(o, "context")) e["context"] = std::string(*c);
    if (auto c = json::get_string(o, "candidate_labels")) e["labels"] = std::string(*c);
    if (auto n = json::get_string(o, "example_title")) e["title"] = std::string(*n);
    if (e.contains("text")) examples.push_back(std::move(e));
    if (examples.size() >= 8) break;
  }
  std::string first = examples.empty() ? "" : std::string(examples[0].get_object().at("text").get_string());
  std::string first_ctx;
  if (!examples.empty())
    if (auto c = json::get_string(examples[0].get_object(), "context")) first_ctx = std::string(*c);
  const auto* pt = services::metadata::find_pipeline_type(*md.pipeline_tag);
  return json::object{{"task", *md.pipeline_tag},
                      {"task_label", pt ? pt->label : std::string_view(*md.pipeline_tag)},
                      {"kind", kind},
                      {"is_qa", kind == "qa"},
                      {"is_zero_shot", *md.pipeline_tag == "zero-shot-classification"},
                      {"examples", std::move(examples)},
                      {"first", first},
                      {"first_context", first_ctx},
                      {"endpoint", "/models/" + v.id},
                      {"mask_token", md.mask_token.value_or("[MASK]")}};
}

}  // namespace

Response repo_home(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  json::object data{{"title", v->id}};
  data["repo"] = repo_header(p, *v, "card", v->default_branch);
  auto head = v->git->resolve_revision(v->default_branch);
  if (head) {
    auto sum = s.summaries.get(v->handle.row, v->handle.path, *head);
    if (!sum) return error_page(p, sum.error());
    const auto& md = (*sum)->metadata();
    MarkdownLinks links{repo_link(*v, "blob", v->default_branch), v->base + "/resolve/" + http::percent_encode(v->default_branch)};
    if ((*sum)->has_readme) data["card_html"] = render_markdown(md.card.body, links);
    data["chips"] = chips(md, type);
    data["evals"] = eval_rows(md);
    if (md.pipeline_tag) {
      const auto* pt = services::metadata::find_pipeline_type(*md.pipeline_tag);
      data["pipeline_tag"] = *md.pipeline_tag;
      data["pipeline_label"] = pt ? pt->label : std::string_view(*md.pipeline_tag);
    }
    if (md.library_name) data["library"] = *md.library_name;
    data["file_count"] = (*sum)->file_count;
    data["total_size"] = human_size((*sum)->total_size);
    data["card_errors"] = boost::json::value_from(md.card.errors);
    auto w = widget(*v, md);
    if (!w.empty()) data["widget"] = std::move(w);
    data["has_metrics"] = !(*sum)->event_files.empty();
  }
  data["updated"] = time_ago(v->handle.row.updated_at);
  if (auto box = gate_box(p, *v); !box.empty()) {
    // Without access, the widget (the Inference API) would only answer GatedRepo.
    if (!box.contains("has_access")) data.erase("widget");
    data["gate"] = std::move(box);
  }
  return render(p, "repo", std::move(data));
}

Response like(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (!p.signed_in()) return redirect("/login");
  if (!csrf_ok(p, f)) return error_page(p, 403, "Invalid form token; reload the page and try again.");
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  auto r = set_like(s.hub, v->handle.row, p.who, f.get("action") != "unlike");
  if (!r) return error_page(p, r.error());
  return redirect(v->base);
}

}  // namespace hub::web::pages
