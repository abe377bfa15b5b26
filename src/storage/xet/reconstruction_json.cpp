#include "storage/xet/reconstruction.h"

namespace hub::storage::xet {
namespace {

json::array terms_json(const ReconstructionPlan& plan) {
  json::array terms;
  for (const auto& t : plan.terms) {
    json::object o;
    o["hash"] = to_xhex(t.xorb);
    o["unpacked_length"] = t.unpacked_length;
    o["range"] = json::object{{"start", t.chunk_start}, {"end", t.chunk_end}};
    terms.push_back(std::move(o));
  }
  return terms;
}

}  // namespace

json::value reconstruction_v2_json(const ReconstructionPlan& plan, const FetchUrl& url) {
  json::object xorbs;
  for (const auto& [xorb, fetches] : plan.fetch) {
    json::array entries;
    for (const auto& f : fetches) {
      json::object range;
      range["chunks"] = json::object{{"start", f.chunk_start}, {"end", f.chunk_end}};
      range["bytes"] = json::object{{"start", f.byte_start}, {"end", f.byte_end}};
      json::object entry;
      entry["url"] = url(xorb, f);
      entry["ranges"] = json::array{std::move(range)};
      entries.push_back(std::move(entry));
    }
    xorbs[to_xhex(xorb)] = std::move(entries);
  }
  json::object o;
  o["offset_into_first_range"] = plan.offset_into_first_range;
  o["terms"] = terms_json(plan);
  o["xorbs"] = std::move(xorbs);
  return o;
}

json::value reconstruction_v1_json(const ReconstructionPlan& plan, const FetchUrl& url) {
  json::object fetch_info;
  for (const auto& [xorb, fetches] : plan.fetch) {
    json::array entries;
    for (const auto& f : fetches) {
      json::object entry;
      entry["range"] = json::object{{"start", f.chunk_start}, {"end", f.chunk_end}};
      entry["url"] = url(xorb, f);
      entry["url_range"] = json::object{{"start", f.byte_start}, {"end", f.byte_end}};
      entries.push_back(std::move(entry));
    }
    fetch_info[to_xhex(xorb)] = std::move(entries);
  }
  json::object o;
  o["offset_into_first_range"] = plan.offset_into_first_range;
  o["terms"] = terms_json(plan);
  o["fetch_info"] = std::move(fetch_info);
  return o;
}

}  // namespace hub::storage::xet
