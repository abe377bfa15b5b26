// Fuzz target: the inference models' config.json reading (the Llama family, GPT-2 and the BERT
// family's mapping of config fields, validation, rope_scaling, heads and labels), checked the
// way load_model checks it: against a checkpoint. Tiny F32 checkpoints of each family are
// written once to a scratch folder; each input is config.json, optionally followed by NUL and
// generation_config.json, then NUL and tokenizer_config.json (the chat template a decoder
// loads). A model that loads then runs one short forward pass, so values the config sets
// (eps, rope factors, positions, labels) meet the arithmetic they feed.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"

namespace fs = std::filesystem;
using namespace hub;
using namespace hub::inference;

namespace {

using Shapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

// A safetensors file of zero-filled (then small constant) F32 tensors.
void write_checkpoint(const fs::path& dir, const Shapes& shapes) {
  fs::create_directories(dir);
  boost::json::object hdr;
  uint64_t off = 0;
  for (const auto& [name, shape] : shapes) {
    uint64_t n = 4;
    boost::json::array s;
    for (int64_t d : shape) n *= uint64_t(d), s.push_back(d);
    hdr[name] = boost::json::object{{"dtype", "F32"}, {"shape", s}, {"data_offsets", boost::json::array{off, off + n}}};
    off += n;
  }
  std::string h = boost::json::serialize(hdr);
  std::ofstream f(dir / "model.safetensors", std::ios::binary);
  uint64_t len = h.size();
  f.write(reinterpret_cast<const char*>(&len), 8);
  f << h;
  std::vector<float> data(off / 4, 0.02f);
  f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(off));
}

constexpr int64_t V = 16, H = 8, I = 16, P = 8;

Shapes llama_shapes() {
  Shapes s{{"model.embed_tokens.weight", {V, H}}, {"model.norm.weight", {H}}, {"lm_head.weight", {V, H}}};
  std::string l = "model.layers.0.";
  for (auto n : {"input_layernorm.weight", "post_attention_layernorm.weight"}) s.push_back({l + n, {H}});
  s.push_back({l + "self_attn.q_proj.weight", {H, H}});
  s.push_back({l + "self_attn.k_proj.weight", {H / 2, H}});  // 1 kv head of 4
  s.push_back({l + "self_attn.v_proj.weight", {H / 2, H}});
  s.push_back({l + "self_attn.o_proj.weight", {H, H}});
  s.push_back({l + "mlp.gate_proj.weight", {I, H}});
  s.push_back({l + "mlp.up_proj.weight", {I, H}});
  s.push_back({l + "mlp.down_proj.weight", {H, I}});
  return s;
}

Shapes gpt2_shapes() {
  Shapes s{{"transformer.wte.weight", {V, H}}, {"transformer.wpe.weight", {P, H}},
           {"transformer.ln_f.weight", {H}}, {"transformer.ln_f.bias", {H}}};
  std::string l = "transformer.h.0.";
  for (auto n : {"ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias"}) s.push_back({l + n, {H}});
  s.push_back({l + "attn.c_attn.weight", {H, 3 * H}});
  s.push_back({l + "attn.c_attn.bias", {3 * H}});
  s.push_back({l + "attn.c_proj.weight", {H, H}});
  s.push_back({l + "attn.c_proj.bias", {H}});
  s.push_back({l + "mlp.c_fc.weight", {H, I}});
  s.push_back({l + "mlp.c_fc.bias", {I}});
  s.push_back({l + "mlp.c_proj.weight", {I, H}});
  s.push_back({l + "mlp.c_proj.bias", {H}});
  return s;
}

Shapes bert_shapes() {
  Shapes s{{"bert.embeddings.word_embeddings.weight", {V, H}},
           {"bert.embeddings.position_embeddings.weight", {P, H}},
           {"bert.embeddings.token_type_embeddings.weight", {2, H}},
           {"bert.embeddings.LayerNorm.weight", {H}},
           {"bert.embeddings.LayerNorm.bias", {H}},
           {"bert.pooler.dense.weight", {H, H}},
           {"bert.pooler.dense.bias", {H}},
           {"classifier.weight", {2, H}},
           {"classifier.bias", {2}},
           {"cls.predictions.transform.dense.weight", {H, H}},
           {"cls.predictions.transform.dense.bias", {H}},
           {"cls.predictions.transform.LayerNorm.weight", {H}},
           {"cls.predictions.transform.LayerNorm.bias", {H}},
           {"cls.predictions.bias", {V}},
           {"qa_outputs.weight", {2, H}},
           {"qa_outputs.bias", {2}}};
  std::string l = "bert.encoder.layer.0.";
  for (auto n : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
    s.push_back({l + n + ".weight", {H, H}});
    s.push_back({l + n + ".bias", {H}});
  }
  for (auto n : {"attention.output.LayerNorm", "output.LayerNorm"}) {
    s.push_back({l + n + ".weight", {H}});
    s.push_back({l + n + ".bias", {H}});
  }
  s.push_back({l + "intermediate.dense.weight", {I, H}});
  s.push_back({l + "intermediate.dense.bias", {I}});
  s.push_back({l + "output.dense.weight", {H, I}});
  s.push_back({l + "output.dense.bias", {H}});
  return s;
}

const fs::path& scratch() {
  static const fs::path root = [] {
    char tmpl[] = "/tmp/hubd-fuzz-model-XXXXXX";
    fs::path p = mkdtemp(tmpl);
    write_checkpoint(p / "llama", llama_shapes());
    write_checkpoint(p / "gpt2", gpt2_shapes());
    write_checkpoint(p / "bert", bert_shapes());
    std::atexit([] { std::error_code ec; fs::remove_all(scratch(), ec); });
    return p;
  }();
  return root;
}

void put(const fs::path& file, std::string_view text, bool present) {
  std::error_code ec;
  if (!present) {
    fs::remove(file, ec);
    return;
  }
  std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view parts[3];
  bool present[3] = {true, false, false};
  for (int i = 0; i < 3; ++i) {
    size_t nul = i == 2 ? std::string_view::npos : in.find('\0');  // the last part keeps any NULs
    parts[i] = in.substr(0, nul);
    if (nul == std::string_view::npos) break;
    in.remove_prefix(nul + 1);
    present[i + 1] = true;
  }
  // The family's checkpoint folder by model_type (unparseable configs fail the same anywhere).
  std::string family = "llama";
  if (auto doc = json::parse(parts[0]); doc && doc->is_object()) {
    auto t = json::get_string(doc->as_object(), "model_type").value_or("");
    if (t == "gpt2") family = "gpt2";
    else if (!is_causal_lm_type(t)) family = "bert";
  }
  fs::path dir = scratch() / family;
  put(dir / "config.json", parts[0], true);
  put(dir / "generation_config.json", parts[1], present[1]);
  put(dir / "tokenizer_config.json", parts[2], present[2]);

  LoadOptions opts;
  opts.load_tokenizer = false;
  auto model = load_model(dir.string(), opts);
  if (!model) return 0;
  const int32_t ids[] = {1, 2, 3};
  if (const CausalLM* lm = (*model)->causal_lm()) {
    DecoderState st = lm->new_state(4);
    (void)lm->forward(ids, st, true);
    if (st.length() < 4) {
      DecoderState* states[] = {&st};
      const int32_t next[] = {4};
      (void)lm->forward_step(next, states);
    }
  } else {
    const int32_t mask[] = {1, 1, 1}, types[] = {0, 0, 1};
    Batch b{1, 3, ids, mask, types};
    (void)(*model)->hidden_states(b);
    (void)(*model)->logits(b);
    (void)(*model)->embeddings(b);
  }
  return 0;
}
