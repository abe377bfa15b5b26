#include "web/site.h"

#include <openssl/crypto.h>

#include <cstdio>

#include "core/hash.h"
#include "core/time.h"
#include "http/hub_error.h"

namespace hub::web {

Result<std::unique_ptr<Site>> Site::create(services::Hub& hub) {
  auto site = std::make_unique<Site>(hub);
  auto a = Assets::load();
  if (!a) return std::unexpected(a.error());
  site->assets = std::move(*a);
  return site;
}

Page make_page(Site& site, http::Request& req) {
  Page p{site, req, {}};
  services::Credentials c;
  c.authorization = req.header("Authorization");
  c.session_cookie = req.cookie(kSessionCookie);
  auto who = services::authenticate(site.hub, c);
  if (who) {
    p.who = std::move(*who);
  } else {
    // An expired or revoked session is not an error for a page: the visitor is anonymous.
    p.stale_session = !c.session_cookie.empty();
  }
  return p;
}

namespace {

std::string new_form_token() { return base64url_encode(random_bytes(18)); }

}  // namespace

http::Response render(const Page& p, std::string_view tmpl, json::object data, int status) {
  http::Response res;
  res.status = status;
  std::string csrf;
  if (p.signed_in() && !p.who.csrf.empty()) {
    csrf = p.who.csrf;
  } else {
    csrf = p.req.cookie(kFormCsrfCookie);
    if (csrf.size() < 16 || csrf.size() > 64) {
      csrf = new_form_token();
      res.set_header("Set-Cookie", std::string(kFormCsrfCookie) + "=" + csrf + "; Path=/; HttpOnly; SameSite=Lax" +
                                       (p.req.base_url.starts_with("https://") ? "; Secure" : ""));
    }
  }
  data["csrf"] = csrf;
  data["assets"] = p.site.assets->urls();
  if (p.signed_in()) {
    data["me"] = json::object{{"name", p.who.account->name}, {"fullname", p.who.account->fullname},
                              {"is_admin", p.who.account->is_admin}};
  }
  if (!data.contains("title")) data["title"] = "hubd";
  if (!data.contains("search_query")) data["search_query"] = "";
  json::value ctx(std::move(data));
  auto body = p.site.assets->templates().render(tmpl, ctx);
  if (!body) {
    res.status = 500;
    res.body = "template error: " + body.error().message;
    res.set_header("Content-Type", "text/plain; charset=utf-8");
    return res;
  }
  res.body = std::move(*body);
  res.set_header("Content-Type", "text/html; charset=utf-8");
  // Pages differ per visitor (and carry CSRF tokens): never cache them in shared caches.
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  // No inline script anywhere: scripts come only from our own origin. Images only from here too:
  // a card's remote image would tell a third party who viewed the page (a tracking pixel).
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                 "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
  if (p.stale_session)
    res.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  return res;
}

http::Response error_page(const Page& p, int status, std::string_view message) {
  std::string title = status == 404 ? "Not found" : status == 403 ? "Forbidden" : "Error";
  return render(p, "error",
                json::object{{"title", title}, {"status", status}, {"message", std::string(message)}}, status);
}

// Statuses and messages come from the one mapping (http/hub_error.h); only the log-in
// redirect for a browser's GET is the site's own.
http::Response error_page(const Page& p, const Error& e) {
  if (e.code == Errc::unauthenticated && p.req.method == "GET")
    return redirect("/login?next=" + http::percent_encode(p.req.target), 303);
  auto d = http::describe_error(e, p.who.anonymous());
  if (e.code == Errc::unauthenticated) d.message = "Please log in first.";
  if (d.status == 401 && e.detail == Detail::RepoNotFound) d.status = 404;  // pages show 404, log-in is a link
  if (d.status >= 500) d.message = "Something went wrong: " + e.message;
  auto r = error_page(p, d.status, d.message);
  // The same headers as the API's errors, so scripts reading a page get the Hub's code too.
  std::string one_line = d.message;
  for (char& c : one_line)
    if (c == '\r' || c == '\n') c = ' ';
  r.set_header("X-Error-Message", one_line);
  if (!d.code.empty()) r.set_header("X-Error-Code", d.code);
  if (d.retry_after > 0) r.set_header("Retry-After", std::to_string(d.retry_after));
  return r;
}

http::Response redirect(std::string_view location, int status) {
  http::Response res;
  res.status = status;
  res.set_header("Location", location);
  res.set_header("Cache-Control", "no-store");
  return res;
}

std::string Form::get(std::string_view name) const {
  for (auto& [k, v] : fields)
    if (k == name) return v;
  return {};
}

bool Form::has(std::string_view name) const {
  for (auto& [k, v] : fields)
    if (k == name) return true;
  return false;
}

Form parse_urlencoded(std::string_view body) {
  Form f;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto k = http::percent_decode(pair.substr(0, eq), true);
    auto v = http::percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (k && v) f.fields.emplace_back(std::move(*k), std::move(*v));
  }
  return f;
}

namespace {

// The value of `key` in a header like `form-data; name="a"; filename="b.txt"`.
std::string header_param(std::string_view h, std::string_view key) {
  std::string needle = std::string(key) + "=";
  size_t pos = 0;
  while ((pos = h.find(needle, pos)) != std::string_view::npos) {
    bool boundary_ok = pos == 0 || h[pos - 1] == ' ' || h[pos - 1] == ';';
    pos += needle.size();
    if (!boundary_ok) continue;
    if (pos < h.size() && h[pos] == '"') {
      size_t end = h.find('"', pos + 1);
      if (end == std::string_view::npos) return {};
      return std::string(h.substr(pos + 1, end - pos - 1));
    }
    size_t end = h.find(';', pos);
    return std::string(h.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
  }
  return {};
}

}  // namespace

Result<MultipartForm> parse_multipart(const http::Request& req) {
  auto ct = req.header("Content-Type");
  if (!ct || !ct->starts_with("multipart/form-data")) return fail(Errc::invalid_argument, "expected a multipart form");
  std::string boundary = header_param(*ct, "boundary");
  if (boundary.empty() || boundary.size() > 200) return fail(Errc::invalid_argument, "multipart form without a boundary");
  std::string delim = "--" + boundary;
  std::string_view body = req.body;
  MultipartForm out;
  size_t pos = body.find(delim);
  if (pos == std::string_view::npos) return fail(Errc::invalid_argument, "malformed multipart form");
  pos += delim.size();
  while (true) {
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return fail(Errc::invalid_argument, "malformed multipart form");
    pos += 2;
    size_t hend = body.find("\r\n\r\n", pos);
    if (hend == std::string_view::npos) return fail(Errc::invalid_argument, "malformed multipart part");
    std::string_view headers = body.substr(pos, hend - pos);
    size_t dstart = hend + 4;
    size_t next = body.find("\r\n" + delim, dstart);
    if (next == std::string_view::npos) return fail(Errc::invalid_argument, "unterminated multipart part");
    std::string_view data = body.substr(dstart, next - dstart);
    std::string disposition;
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      if (line.size() > 20 && http::iequals(line.substr(0, 20), "content-disposition:")) disposition = line.substr(20);
    }
    std::string name = header_param(disposition, "name");
    if (disposition.find("filename=") != std::string::npos) {
      out.files.push_back({name, header_param(disposition, "filename"), std::string(data)});
    } else {
      out.form.fields.emplace_back(name, std::string(data));
    }
    pos = next + 2 + delim.size();
  }
  return out;
}

bool csrf_ok(const Page& p, const Form& f) {
  std::string sent = f.get("csrf");
  std::string want = p.signed_in() ? p.who.csrf : p.req.cookie(kFormCsrfCookie);
  if (want.empty() || sent.size() != want.size()) return false;
  return CRYPTO_memcmp(sent.data(), want.data(), want.size()) == 0;
}

std::string url_encode_path(std::string_view s) { return http::percent_encode(s, true); }

std::string human_size(uint64_t bytes) {
  const char* units[] = {"Bytes", "kB", "MB", "GB", "TB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu Bytes", (unsigned long long)bytes);
  else std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string time_ago(int64_t unix_ms) {
  int64_t s = (now_ms() - unix_ms) / 1000;
  if (s < 60) return "just now";
  auto plural = [](int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (s < 3600) return plural(s / 60, "minute");
  if (s < 86400) return plural(s / 3600, "hour");
  if (s < 86400 * 30) return plural(s / 86400, "day");
  if (s < 86400 * 365) return plural(s / (86400 * 30), "month");
  return plural(s / (86400 * 365), "year");
}

}  // namespace hub::web
