// Factories of the two heavier models, each in its own file: BPE (bpe.cpp) and Unigram
// (unigram.cpp). make_model (models.cpp) dispatches here. Models are immutable after load.
#pragma once

#include <memory>

#include "inference/tokenizers/components.h"

namespace hub::inference::tokenizers {

std::unique_ptr<Model> make_bpe(const json::object& o);
std::unique_ptr<Model> make_unigram(const json::object& o);

}  // namespace hub::inference::tokenizers
