// Template: a small Mustache engine for the web pages. Templates are compiled once (at start-up,
// from the files embedded in the binary) into a node tree and rendered against a JSON context.
// Supported: {{name}} (HTML-escaped), {{{name}}} and {{&name}} (raw, for HTML we produced
// ourselves, e.g. rendered Markdown), {{#name}}..{{/name}} (arrays repeat, objects push scope,
// other truthy values render once), {{^name}}..{{/name}} (inverted), {{>partial}}, {{! comment}},
// dotted names and "." for the current value. Lookups walk the scope stack like Mustache.
// Thread-safety: a compiled Template and a TemplateSet are immutable; render is reentrant.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"

namespace hub::web {

// Escapes & < > " ' for text and attribute contexts.
std::string html_escape(std::string_view s);
void html_escape_to(std::string& out, std::string_view s);

class TemplateSet;

class Template {
 public:
  // invalid_argument with the line of the first problem (unclosed section, stray close, ...).
  static Result<Template> compile(std::string_view text, std::string_view name = "template");
  Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

  // partials: where {{>name}} is looked up (nullptr: partials render empty).
  std::string render(const json::value& context, const TemplateSet* partials = nullptr) const;
  void render_to(std::string& out, const json::value& context, const TemplateSet* partials = nullptr) const;

  struct Node;
  const Node* root_node() const { return root_.get(); }

 private:
  std::unique_ptr<Node> root_;
};

// Named templates that can include each other as partials.
class TemplateSet {
 public:
  Result<void> add(std::string name, std::string_view text);
  const Template* find(std::string_view name) const;
  // not_found if no template has that name.
  Result<std::string> render(std::string_view name, const json::value& context) const;

 private:
  std::map<std::string, Template, std::less<>> templates_;
};

}  // namespace hub::web
