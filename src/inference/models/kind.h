// ModelKind: what shape of network a model is, which decides the tasks it can serve
// (models/tasks.h) and the runner the pipelines hand it to. Plain values; thread-safe.
#pragma once

#include <string_view>

namespace hub::inference {

enum class ModelKind {
  encoder,                // BERT family: hidden states + task heads
  decoder,                // causal LM (Llama family, GPT-2): text generation, chat
  encoder_decoder,        // text seq2seq (T5): text2text, translation, summarization
  vision_encoder,         // (reserved) ViT/CLIP image towers
  audio_encoder_decoder,  // (reserved) Whisper
};

constexpr std::string_view kind_name(ModelKind k) {
  switch (k) {
    case ModelKind::encoder: return "encoder";
    case ModelKind::decoder: return "decoder";
    case ModelKind::encoder_decoder: return "encoder-decoder";
    case ModelKind::vision_encoder: return "vision encoder";
    case ModelKind::audio_encoder_decoder: return "audio encoder-decoder";
  }
  return "?";
}

}  // namespace hub::inference
