#include "inference/chat/template.h"

#include <new>

#include "inference/chat/interp.h"
#include "inference/chat/parser.h"

namespace hub::inference::chat {

struct Template::Program {
  std::string source;
  Block body;
};

Result<Template> Template::parse(std::string_view source) {
  if (source.size() > kMaxSourceBytes)
    return fail(Errc::too_large, "chat template is larger than " + std::to_string(kMaxSourceBytes) + " bytes");
  auto body = parse_template(source);
  if (!body) return std::unexpected(body.error());
  auto program = std::make_shared<Program>();
  program->source = std::string(source);
  program->body = std::move(*body);
  Template t;
  t.program_ = std::move(program);
  return t;
}

Result<std::string> Template::render(const boost::json::object& context, const RenderLimits& limits,
                                     long long now) const {
  if (!program_) return fail(Errc::internal, "template not parsed");
  auto error = [](std::string msg) { return fail(Errc::invalid_argument, std::move(msg), Detail::TemplateError); };
  StringBudget budget{limits.max_output_bytes, limits.max_total_bytes, 0};
  struct BudgetScope {  // the budget applies to this render on this thread only
    StringBudget* saved;
    explicit BudgetScope(StringBudget* b) : saved(tl_string_budget) { tl_string_budget = b; }
    ~BudgetScope() { tl_string_budget = saved; }
  } scope(&budget);
  try {
    auto env = std::make_shared<Env>();
    install_globals(*env, now);
    for (const auto& [key, value] : context) {
      std::string name(key);
      if (env->vars.count(name)) return error("Variable already declared: " + name);
      env->set(name, from_json(value));
    }
    Interp in(limits);
    std::string out;
    in.exec_block(program_->body, env, out);
    return out;
  } catch (const RaisedError& e) {
    return error(e.what());
  } catch (const LimitError& e) {
    return fail(Errc::too_large, std::string("chat template: ") + e.what(), Detail::TemplateError);
  } catch (const RenderError& e) {
    return error(std::string("chat template error: ") + e.what());
  } catch (const BreakSignal&) {
    return error("chat template error: break outside a loop");
  } catch (const ContinueSignal&) {
    return error("chat template error: continue outside a loop");
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "chat template: out of memory while rendering", Detail::TemplateError);
  } catch (const std::exception& e) {
    return error(std::string("chat template error: ") + e.what());
  }
}

}  // namespace hub::inference::chat
