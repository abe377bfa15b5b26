#include "http/message.h"

namespace hub::http {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (auto& [k, v] : query)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::vector<std::string_view> Request::query_params(std::string_view name) const {
  std::vector<std::string_view> out;
  for (auto& [k, v] : query) {
    std::string_view key = k;
    if (key.ends_with("[]")) key.remove_suffix(2);
    if (key == name) out.push_back(v);
  }
  return out;
}

bool Request::query_flag(std::string_view name) const {
  auto v = query_param(name);
  return v && (*v == "1" || *v == "true" || *v == "True");
}

std::string Request::cookie(std::string_view name) const {
  auto h = header("Cookie");
  if (!h) return {};
  std::string_view s = *h;
  while (!s.empty()) {
    size_t semi = s.find(';');
    std::string_view part = s.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    s.remove_prefix(semi + 1);
  }
  return {};
}

void Response::set_header(std::string_view name, std::string_view value) {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) {
      v = value;
      return;
    }
  headers.emplace_back(name, value);
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

Response Response::json(int status, const json::value& v) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);
  r.set_header("Content-Type", "application/json; charset=utf-8");
  return r;
}

Response Response::text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.set_header("Content-Type", content_type);
  return r;
}

Response Response::error(int status, std::string_view message, std::string_view error_code) {
  Response r = json(status, json::object{{"error", message}});
  // Header values cannot carry line breaks; keep the message on one line.
  std::string one_line(message);
  for (char& c : one_line)
    if (c == '\r' || c == '\n') c = ' ';
  r.set_header("X-Error-Message", one_line);
  if (!error_code.empty()) r.set_header("X-Error-Code", error_code);
  return r;
}

}  // namespace hub::http
