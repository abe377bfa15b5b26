#include "services/metadata/dataset_tags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/metadata/repo_metadata.h"

namespace md = hub::services::metadata;
namespace json = hub::json;

namespace {

md::RepoMetadata dataset(std::string_view readme, std::vector<md::RepoFile> files) {
  md::RepoFiles repo;
  repo.repo_type = "dataset";
  repo.readme = readme;
  repo.files = std::move(files);
  repo.files.push_back({"README.md", readme.size()});
  return md::build_repo_metadata(repo);
}

TEST(DatasetTags, CardListsLanguagesLicenseFormatsAndLibrariesInTheHubsOrder) {
  auto m = dataset(R"(---
task_categories: [text-classification]
task_ids: sentiment-classification
language: [en, fr]
license: MIT
size_categories: 10K<n<100K
multilinguality: multilingual
tags: [reviews]
pipeline_tag: text-generation
---
Movie reviews.
)",
                   {{"data/train-00000.parquet", 100}, {"data/test.jsonl.gz", 10}, {".gitattributes", 1}});
  std::vector<std::string> want = {"task_categories:text-classification", "task_ids:sentiment-classification",
                                   "multilinguality:multilingual", "language:en", "language:fr", "license:mit",
                                   "size_categories:10K<n<100K", "reviews", "format:json", "format:parquet",
                                   "library:datasets", "library:pandas", "library:polars", "region:us"};
  EXPECT_EQ(m.tags, want);
  EXPECT_FALSE(m.pipeline_tag);  // datasets have no task inferred, whatever the card says
  EXPECT_FALSE(m.library_name);
}

TEST(DatasetTags, ImageFoldersAndUnknownFiles) {
  auto m = dataset("no front matter\n", {{"train/cat/1.JPG", 5}, {"train/dog/2.png", 5}, {"notes.bin", 1}});
  std::vector<std::string> want = {"format:imagefolder", "modality:image", "library:datasets", "region:us"};
  EXPECT_EQ(m.tags, want);
  auto none = dataset("", {{"weights.bin", 5}});
  EXPECT_EQ(none.tags, std::vector<std::string>{"region:us"});
}

TEST(DatasetTags, WrongTypesInTheCardAreReportedNotFatal) {
  auto m = dataset("---\ntask_categories: {a: b}\nsize_categories: [[1]]\nlanguage: en\n---\n", {});
  EXPECT_EQ(m.tags, (std::vector<std::string>{"language:en", "region:us"}));
  EXPECT_GE(m.errors.size(), 2u);
}

TEST(DatasetTags, TagsByTypeGroupsByPrefix) {
  std::vector<std::string> seen = {"task_categories:text-classification", "language:en", "format:parquet",
                                   "reviews", "weird:thing", "license:mit"};
  auto out = md::datasets_tags_by_type(seen);
  auto first = [&](std::string_view type) { return out.at(type).as_array().at(0).as_object(); };
  EXPECT_EQ(first("task_categories").at("id").as_string(), "task_categories:text-classification");
  EXPECT_EQ(first("task_categories").at("label").as_string(), "text-classification");
  EXPECT_EQ(first("language").at("label").as_string(), "en");
  EXPECT_EQ(first("format").at("type").as_string(), "format");
  EXPECT_EQ(out.at("other").as_array().size(), 2u);  // "reviews" and the unknown prefix
  EXPECT_TRUE(out.at("size_categories").as_array().empty());
}

}  // namespace
