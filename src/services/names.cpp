#include "services/names.h"

#include <array>
#include <string>

namespace hub::services {

namespace {
Result<void> validate_common(std::string_view what, std::string_view n, size_t max_len) {
  auto bad = [&](std::string why) {
    return fail(Errc::invalid_argument, "Invalid " + std::string(what) + " name '" + std::string(n.substr(0, 100)) +
                                            "': " + why);
  };
  if (n.empty()) return bad("it is empty");
  if (n.size() > max_len) return bad("it is longer than " + std::to_string(max_len) + " characters");
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.';
    if (!ok) return bad("only letters, digits, '-', '_' and '.' are allowed");
  }
  if (n.front() == '-' || n.front() == '.' || n.back() == '-' || n.back() == '.')
    return bad("it cannot start or end with '-' or '.'");
  if (n.find("--") != std::string_view::npos || n.find("..") != std::string_view::npos)
    return bad("'--' and '..' are not allowed");
  if (n.size() >= 4 && n.substr(n.size() - 4) == ".git") return bad("it cannot end with '.git'");
  return {};
}
}  // namespace

Result<void> validate_repo_name(std::string_view name) { return validate_common("repo", name, 96); }

Result<void> validate_account_name(std::string_view name) {
  if (auto r = validate_common("account", name, 96); !r) return r;
  // Top-level URL words: an account with one of these names would shadow a route.
  static constexpr std::array reserved = {"api",    "datasets", "spaces", "models", "buckets", "kernels",
                                          "login",  "logout",   "join",   "new",    "settings", "static",
                                          "assets", "docs",     "search", "organizations", "pipeline", "v1"};
  std::string lower(name);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  for (auto r : reserved)
    if (lower == r) return fail(Errc::invalid_argument, "The name '" + std::string(name) + "' is reserved");
  return {};
}

Result<std::string_view> parse_repo_type(std::string_view t) {
  if (t.empty() || t == "model" || t == "models") return std::string_view("model");
  if (t == "dataset" || t == "datasets") return std::string_view("dataset");
  if (t == "space" || t == "spaces") return std::string_view("space");
  return fail(Errc::invalid_argument, "Invalid repo type '" + std::string(t.substr(0, 40)) +
                                          "': expected model, dataset or space");
}

std::string_view repo_url_prefix(std::string_view type) {
  if (type == "dataset") return "datasets/";
  if (type == "space") return "spaces/";
  return "";
}

}  // namespace hub::services
