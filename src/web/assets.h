// Assets: the embedded templates (compiled once) and static files (CSS, JS, npm-built
// libraries) with their content hashes. Static URLs carry the hash (/static/<hash>/<name>), so
// they can be cached forever: a new build changes the URL. Built once at start-up, then
// read-only: safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/result.h"
#include "web/template.h"

namespace hub::web {

struct StaticAsset {
  std::string name;          // "site.css", "uPlot.iife.min.js"
  std::string_view data;     // embedded bytes
  std::string hash;          // first 16 hex of the sha256
  std::string content_type;
  std::string url;           // "/static/<hash>/<name>"
};

class Assets {
 public:
  // Compiles every embedded template; invalid_argument names the first broken one.
  static Result<std::unique_ptr<Assets>> load();

  const TemplateSet& templates() const { return templates_; }
  const StaticAsset* find(std::string_view name) const;
  // {"site_css": url, "widget_js": url, ...}: names with '.' and '-' turned into '_'.
  const json::object& urls() const { return urls_; }

 private:
  TemplateSet templates_;
  std::map<std::string, StaticAsset, std::less<>> static_;
  json::object urls_;
};

}  // namespace hub::web
