// config.json inputs the fuzzer (tests/fuzz/model_config) found mishandled, replayed through
// the real loader. Each must be a clear error from the config check, before any weights load.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "inference/models/decoder.h"

namespace hub::inference {
namespace {

namespace fs = std::filesystem;

class LlamaConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hubd_llama_config_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Error load_error(const std::string& config) {
    std::ofstream(dir_ / "config.json") << config;
    auto r = load_causal_lm(dir_.string(), false);
    EXPECT_FALSE(r) << config;
    return r ? Error{} : r.error();
  }
  fs::path dir_;
};

constexpr const char* kTiny =
    R"({"model_type":"llama","vocab_size":16,"hidden_size":8,"intermediate_size":16,)"
    R"("num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1)";

// corpus/model_config/llama_hostile: converting 8 * 1e300 to int64 was undefined behaviour
// (UBSan: "4e+300 is outside the range of representable values").
TEST_F(LlamaConfig, PartialRotaryFactorOutOfRangeIsRefusedBeforeConversion) {
  for (const char* f : {"1e300", "-1e300", "-0.5", "0", "2"}) {
    Error e = load_error(std::string(kTiny) + R"(,"partial_rotary_factor":)" + f + "}");
    EXPECT_EQ(e.code, Errc::invalid_argument) << f;
    EXPECT_NE(e.message.find("partial_rotary_factor"), std::string::npos) << f << ": " << e.message;
  }
}

}  // namespace
}  // namespace hub::inference
