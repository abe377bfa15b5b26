// Test helper: model directories written from C++ (config.json + a model.safetensors of
// small deterministic F32 values with the shapes a config implies), so configs and weights
// can disagree on purpose without torch. Llama- and BERT-shaped tensor lists included.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace hub::inference::testing {

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};

inline std::string temp_model_dir(const std::string& tag) {
  std::string tmpl = "/tmp/hubd-" + tag + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return ::mkdtemp(buf.data());
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// model.safetensors holding `tensors` as F32, values small and varied (not all zero, so a
// forward is a real computation).
inline void write_safetensors(const std::string& path, const std::vector<TensorSpec>& tensors) {
  std::string header = "{";
  uint64_t off = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    uint64_t n = 1;
    std::string shape = "[";
    for (size_t d = 0; d < tensors[i].shape.size(); ++d) {
      n *= uint64_t(tensors[i].shape[d]);
      shape += (d ? "," : "") + std::to_string(tensors[i].shape[d]);
    }
    shape += "]";
    header += (i ? "," : "") + ("\"" + tensors[i].name + "\":{\"dtype\":\"F32\",\"shape\":" + shape +
                                ",\"data_offsets\":[" + std::to_string(off) + "," + std::to_string(off + 4 * n) + "]}");
    off += 4 * n;
  }
  header += "}";
  while ((8 + header.size()) % 8) header += ' ';
  std::ofstream out(path, std::ios::binary);
  uint64_t len = header.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out << header;
  std::vector<float> chunk(1 << 16);
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = float(int(i * 7919 % 201) - 100) * 1e-3f;
  for (uint64_t left = off / 4; left > 0;) {
    uint64_t n = std::min<uint64_t>(left, chunk.size());
    out.write(reinterpret_cast<const char*>(chunk.data()), std::streamsize(n * 4));
    left -= n;
  }
}

struct LlamaDims {
  int64_t vocab = 64, hidden = 16, inter = 32, layers = 2, heads = 2, kv_heads = 1, head_dim = 8;
};

// The tensors of a Llama checkpoint with these dims (tied embeddings).
inline std::vector<TensorSpec> llama_tensors(const LlamaDims& d) {
  const int64_t H = d.hidden, qd = d.heads * d.head_dim, kvd = d.kv_heads * d.head_dim;
  std::vector<TensorSpec> t{{"model.embed_tokens.weight", {d.vocab, H}}, {"model.norm.weight", {H}}};
  for (int64_t i = 0; i < d.layers; ++i) {
    const std::string l = "model.layers." + std::to_string(i) + ".";
    t.push_back({l + "input_layernorm.weight", {H}});
    t.push_back({l + "post_attention_layernorm.weight", {H}});
    t.push_back({l + "self_attn.q_proj.weight", {qd, H}});
    t.push_back({l + "self_attn.k_proj.weight", {kvd, H}});
    t.push_back({l + "self_attn.v_proj.weight", {kvd, H}});
    t.push_back({l + "self_attn.o_proj.weight", {H, qd}});
    t.push_back({l + "mlp.gate_proj.weight", {d.inter, H}});
    t.push_back({l + "mlp.up_proj.weight", {d.inter, H}});
    t.push_back({l + "mlp.down_proj.weight", {H, d.inter}});
  }
  return t;
}

// config.json for `d` plus `extra` JSON members (e.g. "\"max_position_embeddings\": 512").
inline std::string llama_config(const LlamaDims& d, const std::string& extra) {
  return "{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],\"vocab_size\":" +
         std::to_string(d.vocab) + ",\"hidden_size\":" + std::to_string(d.hidden) +
         ",\"intermediate_size\":" + std::to_string(d.inter) + ",\"num_hidden_layers\":" + std::to_string(d.layers) +
         ",\"num_attention_heads\":" + std::to_string(d.heads) + ",\"num_key_value_heads\":" +
         std::to_string(d.kv_heads) + ",\"head_dim\":" + std::to_string(d.head_dim) +
         ",\"tie_word_embeddings\":true" + (extra.empty() ? "" : "," + extra) + "}";
}

// A Llama directory: weights with `weights` dims, config.json from `config` dims + extra.
inline std::string write_llama(const std::string& dir, const LlamaDims& weights, const LlamaDims& config,
                               const std::string& extra) {
  write_safetensors(dir + "/model.safetensors", llama_tensors(weights));
  write_text(dir + "/config.json", llama_config(config, extra));
  return dir;
}

struct Gpt2Dims {
  int64_t vocab = 64, hidden = 16, layers = 2, heads = 2, positions = 128;
};

inline std::vector<TensorSpec> gpt2_tensors(const Gpt2Dims& d) {
  const int64_t H = d.hidden;
  std::vector<TensorSpec> t{{"transformer.wte.weight", {d.vocab, H}}, {"transformer.wpe.weight", {d.positions, H}},
                            {"transformer.ln_f.weight", {H}}, {"transformer.ln_f.bias", {H}}};
  for (int64_t i = 0; i < d.layers; ++i) {
    const std::string l = "transformer.h." + std::to_string(i) + ".";
    for (const char* n : {"ln_1", "ln_2"}) {
      t.push_back({l + n + ".weight", {H}});
      t.push_back({l + n + ".bias", {H}});
    }
    t.push_back({l + "attn.c_attn.weight", {H, 3 * H}});
    t.push_back({l + "attn.c_attn.bias", {3 * H}});
    t.push_back({l + "attn.c_proj.weight", {H, H}});
    t.push_back({l + "attn.c_proj.bias", {H}});
    t.push_back({l + "mlp.c_fc.weight", {H, 4 * H}});
    t.push_back({l + "mlp.c_fc.bias", {4 * H}});
    t.push_back({l + "mlp.c_proj.weight", {4 * H, H}});
    t.push_back({l + "mlp.c_proj.bias", {H}});
  }
  return t;
}

inline std::string gpt2_config(const Gpt2Dims& d) {
  return "{\"model_type\":\"gpt2\",\"architectures\":[\"GPT2LMHeadModel\"],\"vocab_size\":" +
         std::to_string(d.vocab) + ",\"n_embd\":" + std::to_string(d.hidden) + ",\"n_layer\":" +
         std::to_string(d.layers) + ",\"n_head\":" + std::to_string(d.heads) + ",\"n_positions\":" +
         std::to_string(d.positions) + "}";
}

struct BertDims {
  int64_t vocab = 64, hidden = 16, inter = 32, layers = 1, heads = 2, positions = 64, types = 2;
};

inline std::vector<TensorSpec> bert_tensors(const BertDims& d) {
  const int64_t h = d.hidden;
  std::vector<TensorSpec> t{{"embeddings.word_embeddings.weight", {d.vocab, h}},
                            {"embeddings.position_embeddings.weight", {d.positions, h}},
                            {"embeddings.token_type_embeddings.weight", {d.types, h}},
                            {"embeddings.LayerNorm.weight", {h}},
                            {"embeddings.LayerNorm.bias", {h}}};
  for (int64_t i = 0; i < d.layers; ++i) {
    const std::string l = "encoder.layer." + std::to_string(i) + ".";
    for (const char* n : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
      t.push_back({l + n + ".weight", {h, h}});
      t.push_back({l + n + ".bias", {h}});
    }
    t.push_back({l + "intermediate.dense.weight", {d.inter, h}});
    t.push_back({l + "intermediate.dense.bias", {d.inter}});
    t.push_back({l + "output.dense.weight", {h, d.inter}});
    t.push_back({l + "output.dense.bias", {h}});
    for (const char* n : {"attention.output.LayerNorm", "output.LayerNorm"}) {
      t.push_back({l + n + ".weight", {h}});
      t.push_back({l + n + ".bias", {h}});
    }
  }
  return t;
}

inline std::string bert_config(const BertDims& d) {
  return "{\"model_type\":\"bert\",\"architectures\":[\"BertModel\"],\"vocab_size\":" + std::to_string(d.vocab) +
         ",\"hidden_size\":" + std::to_string(d.hidden) + ",\"intermediate_size\":" + std::to_string(d.inter) +
         ",\"num_hidden_layers\":" + std::to_string(d.layers) + ",\"num_attention_heads\":" +
         std::to_string(d.heads) + ",\"max_position_embeddings\":" + std::to_string(d.positions) +
         ",\"type_vocab_size\":" + std::to_string(d.types) + "}";
}

}  // namespace hub::inference::testing
