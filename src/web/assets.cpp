#include "web/assets.h"

#include "core/hash.h"
#include "web/embedded.h"

namespace hub::web {

namespace {

std::string content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

std::string key_of(std::string_view name) {
  std::string k(name);
  // uPlot.iife.min.js -> uplot_iife_min_js: lower-case keys keep templates readable.
  for (char& c : k) {
    if (c == '.' || c == '-') c = '_';
    else if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return k;
}

}  // namespace

Result<std::unique_ptr<Assets>> Assets::load() {
  auto a = std::make_unique<Assets>();
  for (const EmbeddedFile& f : embedded_files()) {
    std::string_view name = f.name;
    if (name.starts_with("templates/")) {
      name.remove_prefix(10);
      if (name.ends_with(".html")) name.remove_suffix(5);
      if (auto r = a->templates_.add(std::string(name), f.data); !r) return std::unexpected(r.error());
      continue;
    }
    size_t slash = name.find('/');
    StaticAsset s;
    s.name = std::string(name.substr(slash + 1));
    s.data = f.data;
    s.hash = sha256_hex(f.data).substr(0, 16);
    s.content_type = content_type_of(s.name);
    s.url = "/static/" + s.hash + "/" + s.name;
    a->urls_[key_of(s.name)] = s.url;
    a->static_.emplace(s.name, std::move(s));
  }
  return a;
}

const StaticAsset* Assets::find(std::string_view name) const {
  auto it = static_.find(name);
  return it == static_.end() ? nullptr : &it->second;
}

}  // namespace hub::web
