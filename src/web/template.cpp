#include "web/template.h"

#include <charconv>

#include "core/encode.h"

namespace hub::web {

void html_escape_to(std::string& out, std::string_view s) { hub::html_escape_to(out, s); }

std::string html_escape(std::string_view s) { return hub::html_escape(s); }

struct Template::Node {
  enum class Kind { root, text, var, raw, section, inverted, partial } kind = Kind::root;
  std::string text;                 // literal text, or the tag's name
  std::vector<std::string> path;    // name split at '.'; empty for "."
  std::vector<Node> children;
};

namespace {

using Node = Template::Node;
using Kind = Template::Node::Kind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_name(std::string_view name) {
  std::vector<std::string> parts;
  if (name == ".") return parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.emplace_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

size_t line_of(std::string_view text, size_t pos) {
  size_t n = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) n += text[i] == '\n';
  return n;
}

// A member of an object, or an element of an array by decimal index ("items.0").
const json::value* child(const json::value& v, const std::string& key) {
  if (v.is_object()) return json::find(v.get_object(), key);
  if (v.is_array() && !key.empty() && key.size() < 10 && key.find_first_not_of("0123456789") == std::string::npos) {
    size_t i = std::stoul(key);
    return i < v.get_array().size() ? &v.get_array()[i] : nullptr;
  }
  return nullptr;
}

const json::value* lookup(const std::vector<const json::value*>& scopes, const std::vector<std::string>& path) {
  if (path.empty()) return scopes.back();
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    const json::value* v = *it;
    if (!v->is_object()) continue;
    const json::value* cur = json::find(v->get_object(), path[0]);
    if (!cur) continue;
    // The first name resolves the scope; the rest must follow from it (Mustache's rule).
    for (size_t i = 1; i < path.size() && cur; ++i) cur = child(*cur, path[i]);
    return cur;
  }
  return nullptr;
}

bool truthy(const json::value* v) {
  if (!v || v->is_null()) return false;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) return !v->get_string().empty();
  if (v->is_array()) return !v->get_array().empty();
  if (v->is_int64()) return v->get_int64() != 0;
  if (v->is_uint64()) return v->get_uint64() != 0;
  if (v->is_double()) return v->get_double() != 0;
  return true;  // objects
}

void append_value(std::string& out, const json::value* v, bool escape) {
  if (!v || v->is_null()) return;
  if (v->is_string()) {
    std::string_view s = v->get_string();
    if (escape) html_escape_to(out, s); else out += s;
    return;
  }
  if (v->is_bool()) { out += v->get_bool() ? "true" : "false"; return; }
  if (v->is_int64()) { out += std::to_string(v->get_int64()); return; }
  if (v->is_uint64()) { out += std::to_string(v->get_uint64()); return; }
  if (v->is_double()) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v->get_double());
    out.append(buf, r.ptr);
    return;
  }
  // Objects and arrays have no text form in a page; render their JSON escaped (debug aid).
  std::string j = json::serialize(*v);
  if (escape) html_escape_to(out, j); else out += j;
}

struct Renderer {
  std::string& out;
  const TemplateSet* partials;
  std::vector<const json::value*> scopes;
  int depth = 0;

  void run(const std::vector<Node>& nodes) {
    for (const Node& n : nodes) {
      switch (n.kind) {
        case Kind::text: out += n.text; break;
        case Kind::var: append_value(out, lookup(scopes, n.path), true); break;
        case Kind::raw: append_value(out, lookup(scopes, n.path), false); break;
        case Kind::inverted:
          if (!truthy(lookup(scopes, n.path))) run(n.children);
          break;
        case Kind::section: {
          const json::value* v = lookup(scopes, n.path);
          if (!truthy(v)) break;
          if (v->is_array()) {
            for (const json::value& item : v->get_array()) {
              scopes.push_back(&item);
              run(n.children);
              scopes.pop_back();
            }
          } else {
            scopes.push_back(v);
            run(n.children);
            scopes.pop_back();
          }
          break;
        }
        case Kind::partial: {
          // A bound on nesting turns a partial that includes itself into an empty render.
          if (!partials || depth >= 16) break;
          const Template* t = partials->find(n.text);
          if (t && t->root_node()) {
            ++depth;  // the partial sees the whole scope chain, as Mustache specifies
            run(t->root_node()->children);
            --depth;
          }
          break;
        }
        case Kind::root: run(n.children); break;
      }
    }
  }
};

}  // namespace

Template::Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

Result<Template> Template::compile(std::string_view text, std::string_view name) {
  auto root = std::make_unique<Node>();
  std::vector<Node*> stack{root.get()};
  size_t pos = 0;
  auto error = [&](size_t at, std::string_view what) {
    return fail(Errc::invalid_argument,
                std::string(name) + ":" + std::to_string(line_of(text, at)) + ": " + std::string(what));
  };
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) open = text.size();
    if (open > pos) {
      Node t;
      t.kind = Kind::text;
      t.text = std::string(text.substr(pos, open - pos));
      stack.back()->children.push_back(std::move(t));
    }
    if (open >= text.size()) break;
    bool triple = text.substr(open, 3) == "{{{";
    std::string_view closer = triple ? "}}}" : "}}";
    size_t body = open + (triple ? 3 : 2);
    size_t close = text.find(closer, body);
    if (close == std::string_view::npos) return error(open, "unclosed tag");
    std::string_view tag = trim(text.substr(body, close - body));
    pos = close + closer.size();
    if (tag.empty()) return error(open, "empty tag");
    Node n;
    char sigil = triple ? '{' : tag[0];
    if (!triple && (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' || sigil == '!' || sigil == '&'))
      tag = trim(tag.substr(1));
    switch (sigil) {
      case '!': continue;
      case '{': case '&': n.kind = Kind::raw; break;
      case '#': n.kind = Kind::section; break;
      case '^': n.kind = Kind::inverted; break;
      case '>': n.kind = Kind::partial; break;
      case '/': {
        if (stack.size() < 2) return error(open, "closing tag {{/" + std::string(tag) + "}} without a section");
        if (stack.back()->text != tag)
          return error(open, "{{/" + std::string(tag) + "}} closes section '" + stack.back()->text + "'");
        stack.pop_back();
        continue;
      }
      default: n.kind = Kind::var;
    }
    if (tag.empty()) return error(open, "tag without a name");
    n.text = std::string(tag);
    n.path = split_name(tag);
    stack.back()->children.push_back(std::move(n));
    if (stack.back()->children.back().kind == Kind::section || stack.back()->children.back().kind == Kind::inverted)
      stack.push_back(&stack.back()->children.back());
  }
  if (stack.size() > 1) return error(text.size(), "section '" + stack.back()->text + "' is never closed");
  Template t;
  t.root_ = std::move(root);
  return t;
}

void Template::render_to(std::string& out, const json::value& context, const TemplateSet* partials) const {
  if (!root_) return;
  Renderer r{out, partials, {&context}};
  r.run(root_->children);
}

std::string Template::render(const json::value& context, const TemplateSet* partials) const {
  std::string out;
  render_to(out, context, partials);
  return out;
}

Result<void> TemplateSet::add(std::string name, std::string_view text) {
  auto t = Template::compile(text, name);
  if (!t) return std::unexpected(t.error());
  templates_.insert_or_assign(std::move(name), std::move(*t));
  return {};
}

const Template* TemplateSet::find(std::string_view name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second;
}

Result<std::string> TemplateSet::render(std::string_view name, const json::value& context) const {
  const Template* t = find(name);
  if (!t) return fail(Errc::not_found, "no template named " + std::string(name));
  return t->render(context, this);
}

}  // namespace hub::web
