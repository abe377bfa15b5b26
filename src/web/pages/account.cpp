// Account pages: log in, sign up, log out, access tokens, new repository.
#include "core/time.h"
#include "services/accounts.h"
#include "services/repos.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {

// Secure when clients reach us over https (--public-url https://..., or a proxy's
// X-Forwarded-Proto): the session must never travel in clear text.
std::string secure_attr(const Request& req) { return req.base_url.starts_with("https://") ? "; Secure" : ""; }

std::string session_cookie(const Request& req, const std::string& value) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000" +
         secure_attr(req);
}

// Only local paths: an open redirect to another site must not ride on our log-in form. A path
// on this site is "/..." but not "//host" or "/\\host" (browsers read both as another origin),
// with no control characters or backslashes anywhere (browsers drop tabs and newlines, so
// "/\t/evil.example" would become "//evil.example"; CR/LF would also split the header).
std::string safe_next(std::string_view next) {
  if (next.empty() || next[0] != '/' || next.size() > 2048) return "/";
  for (char c : next)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return "/";
  if (next.starts_with("//")) return "/";
  return std::string(next);
}

Response bad_token(const Page& p) { return error_page(p, 403, "Invalid form token; reload the page and try again."); }

}  // namespace

Response login_form(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (p.signed_in()) return redirect(safe_next(req.query_param("next").value_or("/")));
  return render(p, "login", json::object{{"title", "Log in"}, {"next", std::string(req.query_param("next").value_or(""))},
                                         {"signup", s.hub.config().allow_signup}});
}

Response login_submit(Site& s, Request& req) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_token(p);
  auto sess = services::login(s.hub, f.get("username"), f.get("password"), req.remote_addr);
  if (!sess) {
    // Throttled (issue 14 #9): 429 with Retry-After, and the page says how long to wait.
    int wait = sess.error().retry_after_s;
    Response res = render(p, "login", json::object{{"title", "Log in"}, {"next", f.get("next")}, {"username", f.get("username")},
                                                   {"error", wait > 0 ? sess.error().error.message : "Invalid username or password."},
                                                   {"signup", s.hub.config().allow_signup}},
                          wait > 0 ? 429 : 401);
    if (wait > 0) res.set_header("Retry-After", std::to_string(wait));
    return res;
  }
  Response res = redirect(safe_next(f.get("next")));
  res.set_header("Set-Cookie", session_cookie(req, sess->cookie));
  return res;
}

Response join_form(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!s.hub.config().allow_signup) return error_page(p, 403, "Sign-up is disabled on this hub.");
  return render(p, "join", json::object{{"title", "Sign up"}});
}

Response join_submit(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!s.hub.config().allow_signup) return error_page(p, 403, "Sign-up is disabled on this hub.");
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_token(p);
  services::NewUser u;
  u.name = f.get("username");
  u.password = f.get("password");
  u.fullname = f.get("fullname");
  u.email = f.get("email");
  auto a = services::create_user(s.hub, u);
  if (!a) {
    return render(p, "join", json::object{{"title", "Sign up"}, {"error", a.error().message}, {"username", u.name},
                                          {"fullname", u.fullname}, {"email", u.email}},
                  a.error().code == Errc::already_exists ? 409 : 400);
  }
  auto sess = services::login(s.hub, u.name, u.password, req.remote_addr);
  if (!sess) return redirect("/login");
  Response res = redirect("/" + a->name);
  res.set_header("Set-Cookie", session_cookie(req, sess->cookie));
  return res;
}

Response logout_form(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/");
  // Logging out changes state, so GET only asks; the form posts with the CSRF token.
  return render(p, "logout", json::object{{"title", "Log out"}});
}

Response logout(Site& s, Request& req) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (p.signed_in() && !csrf_ok(p, f)) return bad_token(p);
  std::string cookie = req.cookie(kSessionCookie);
  if (!cookie.empty()) (void)services::logout(s.hub, cookie);
  Response res = redirect("/");
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + secure_attr(req));
  return res;
}

namespace {

Response tokens_render(Page& p, json::object extra, int status = 200) {
  auto ts = p.site.hub.db().tokens_of(p.who.account->id);
  json::array rows;
  if (ts) {
    for (auto& t : *ts)
      rows.push_back(json::object{{"id", t.id}, {"name", t.name}, {"role", t.role}, {"prefix", t.prefix},
                                  {"created", iso8601(t.created_at)},
                                  {"last_used", t.last_used_at ? time_ago(t.last_used_at) : std::string("never")}});
  }
  extra["title"] = "Access tokens";
  extra["tokens"] = std::move(rows);
  return render(p, "tokens", std::move(extra), status);
}

}  // namespace

Response tokens_page(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/tokens");
  return tokens_render(p, {});
}

Response tokens_create(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/tokens");
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_token(p);
  std::string name = f.get("name").empty() ? "token" : f.get("name");
  auto t = services::create_token(s.hub, p.who.account->id, name, f.get("role") == "write" ? "write" : "read");
  if (!t) return tokens_render(p, json::object{{"error", t.error().message}}, 400);
  // The secret is shown once, on this response only.
  return tokens_render(p, json::object{{"new_token", t->secret}, {"new_name", name}});
}

Response tokens_delete(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/settings/tokens");
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_token(p);
  int64_t id = 0;
  try {
    id = std::stoll(req.params["id"]);
  } catch (...) {
    return error_page(p, 400, "Invalid token id");
  }
  if (auto r = s.hub.db().delete_token(p.who.account->id, id); !r) return error_page(p, r.error());
  return redirect("/settings/tokens");
}

namespace {

json::array namespaces_of(Page& p, std::string_view selected) {
  json::array out;
  out.push_back(json::object{{"name", p.who.account->name}, {"selected", selected.empty() || selected == p.who.account->name}});
  if (auto orgs = p.site.hub.db().orgs_of(p.who.account->id))
    for (auto& o : *orgs)
      if (services::can_write_namespace(p.site.hub, p.who, o.name))
        out.push_back(json::object{{"name", o.name}, {"selected", selected == o.name}});
  return out;
}

}  // namespace

Response new_repo_form(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/new");
  std::string type = std::string(req.query_param("type").value_or("model"));
  return render(p, "new", json::object{{"title", "New repository"}, {"namespaces", namespaces_of(p, "")},
                                       {"is_dataset", type == "dataset"}});
}

Response new_repo_submit(Site& s, Request& req) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login?next=/new");
  Form f = parse_urlencoded(req.body);
  if (!csrf_ok(p, f)) return bad_token(p);
  services::NewRepo r;
  r.type = f.get("type") == "dataset" ? "dataset" : "model";
  r.ns = f.get("namespace");
  r.name = f.get("name");
  r.is_private = f.get("visibility") == "private";
  auto h = services::create_repo(s.hub, p.who, r);
  if (!h) {
    return render(p, "new", json::object{{"title", "New repository"}, {"namespaces", namespaces_of(p, r.ns)},
                                         {"error", h.error().message}, {"name", r.name},
                                         {"is_dataset", r.type == "dataset"}, {"private", r.is_private}},
                  h.error().code == Errc::already_exists || h.error().code == Errc::conflict ? 409 : 400);
  }
  return redirect((r.type == "dataset" ? "/datasets/" : "/") + h->row.full_id());
}

}  // namespace hub::web::pages
