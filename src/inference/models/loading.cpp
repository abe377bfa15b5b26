// The shared file readers of every architecture and the decoders' loader (llama.cpp,
// gpt2.cpp call load_decoder_model with their family's functions).
#include "inference/models/loading.h"

#include <filesystem>

#include "core/fs.h"
#include "inference/chat/chat_template.h"
#include "inference/models/memory.h"
#include "inference/models/registry.h"
#ifdef HUBD_HAVE_TOKENIZERS
#include "inference/tokenizers/tokenizer.h"
#endif

namespace hub::inference::models {

Result<boost::json::object> read_json_object(const std::string& path) {
  HUB_TRY(text, fs::read_file(path, 16u << 20));
  auto doc = json::parse(text);
  if (!doc) return fail(Errc::corrupt, path + ": " + doc.error().message);
  if (!doc->is_object()) return fail(Errc::corrupt, path + ": not a JSON object");
  return std::move(doc->get_object());
}

void read_ids(const boost::json::value* v, std::vector<int32_t>& out) {
  if (!v) return;
  if (v->is_int64()) out.push_back(int32_t(v->get_int64()));
  if (v->is_uint64()) out.push_back(int32_t(v->get_uint64()));
  if (v->is_array())
    for (const auto& e : v->get_array())
      if (e.is_int64()) out.push_back(int32_t(e.get_int64()));
}

Result<boost::json::object> read_generation_config(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir + "/generation_config.json", ec)) return boost::json::object{};
  return read_json_object(dir + "/generation_config.json");
}

Result<std::shared_ptr<const tokenizers::Tokenizer>> load_tokenizer_json(const std::string& dir, bool want) {
  std::shared_ptr<const tokenizers::Tokenizer> tok;
#ifdef HUBD_HAVE_TOKENIZERS
  std::error_code ec;
  if (want && std::filesystem::is_regular_file(dir + "/tokenizer.json", ec)) {
    HUB_TRY(t, tokenizers::Tokenizer::from_file(dir + "/tokenizer.json"));
    tok = std::make_shared<const tokenizers::Tokenizer>(std::move(t));
  }
#else
  (void)dir, (void)want;
#endif
  return tok;
}

Result<std::shared_ptr<const CausalLM>> load_decoder(const LoadContext& ctx, const DecoderFamily& family,
                                                    MemoryEstimate* memory) {
  HUB_TRY(cfg, family.config(ctx.config));
  HUB_TRY(gen, read_generation_config(ctx.dir));
  if (const auto* e = json::find(gen, "eos_token_id"); e && !e->is_null()) {
    cfg.eos_token_ids.clear();
    read_ids(e, cfg.eos_token_ids);
  }
  cfg.generation = std::move(gen);
  HUB_TRY(ckpt, safetensors::Checkpoint::open_dir(ctx.dir));
  // Config against the weights' shapes, then the whole memory it implies against the budget:
  // both from the header alone, before any tensor, table or cache is allocated.
  if (auto ok = family.check_shapes(cfg, ckpt); !ok) return std::unexpected(ok.error());
  const auto estimate = estimate_decoder_memory(cfg, held_weight_bytes(ckpt, family.keep_bf16), ctx.opts.limits);
  if (auto ok = check_memory_budget(estimate, ctx.opts.limits); !ok) return std::unexpected(ok.error());
  if (memory) *memory = estimate;
  HUB_TRY(weights, family.weights(cfg, ckpt));
  HUB_TRY(tok, load_tokenizer_json(ctx.dir, ctx.opts.load_tokenizer));
  return std::shared_ptr<const CausalLM>(
      std::make_shared<CausalLM>(std::move(cfg), std::move(weights), std::move(tok)));
}

Result<std::shared_ptr<Model>> load_decoder_model(const LoadContext& ctx, const DecoderFamily& family) {
  MemoryEstimate memory;
  HUB_TRY(lm, load_decoder(ctx, family, &memory));
  ModelConfig mc;
  mc.kind = ModelKind::decoder;
  mc.model_type = ctx.model_type;
  mc.architecture = ctx.architecture;
  mc.raw = ctx.config;
  auto model = std::make_shared<Model>(std::move(mc), std::move(lm));
  model->set_memory(memory);
  // A template that cannot be read only takes chat away; text generation still works.
  if (auto t = chat::load_chat_template_dir(ctx.dir))
    model->set_chat_template(std::make_shared<const chat::ChatTemplate>(std::move(*t)), "");
  else
    model->set_chat_template(nullptr, t.error().message);
  return model;
}

}  // namespace hub::inference::models

namespace hub::inference {

bool is_causal_lm_type(std::string_view t) {
  const auto* a = models::find_architecture(t);
  return a && a->kind == ModelKind::decoder;
}

Result<std::shared_ptr<const CausalLM>> load_causal_lm(const std::string& dir, bool load_tokenizer,
                                                      const MemoryLimits& limits, MemoryEstimate* memory) {
  HUB_TRY(raw, models::read_json_object(dir + "/config.json"));
  auto type = json::get_string(raw, "model_type");
  if (!type) return fail(Errc::invalid_argument, "config.json: missing model_type");
  if (!is_causal_lm_type(*type))
    return fail(Errc::unsupported, "model_type '" + std::string(*type) + "' is not a supported text-generation architecture");
  models::LoadContext ctx;
  ctx.dir = dir;
  ctx.model_type = std::string(*type);
  ctx.config = std::move(raw);
  ctx.opts.load_tokenizer = load_tokenizer;
  ctx.opts.limits = limits;
  HUB_TRY(model, models::find_architecture(ctx.model_type)->load(ctx));
  if (memory) *memory = model->memory();
  const CausalLM* lm = model->causal_lm();
  return std::shared_ptr<const CausalLM>(std::shared_ptr<const Model>(std::move(model)), lm);
}

}  // namespace hub::inference
