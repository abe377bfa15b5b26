// The files compiled into hubd (templates, CSS, JS, npm-built libraries): generated at build
// time from src/web/templates, src/web/static and web/dist by embed.cmake. Immutable.
#pragma once

#include <span>
#include <string_view>

namespace hub::web {

struct EmbeddedFile {
  std::string_view name;  // "templates/repo.html", "static/site.css", "dist/uPlot.iife.min.js"
  std::string_view data;
};

std::span<const EmbeddedFile> embedded_files();

}  // namespace hub::web
