// GunzipSource: a BodySource that inflates a gzip (or zlib) request body read from another
// source (Content-Encoding: gzip, as git sends large upload-pack requests). Output is
// bounded by max_output so a small bomb cannot expand without limit. Not thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "http/message.h"

namespace hub::http {

class GunzipSource final : public BodySource {
 public:
  GunzipSource(BodySource& inner, uint64_t max_output);
  ~GunzipSource() override;
  Result<size_t> read(char* buf, size_t cap) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::http
