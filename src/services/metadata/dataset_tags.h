// Tags of a dataset repo, as the Hub writes them: card classification lists as
// "task_categories:…", "task_ids:…", …, "size_categories:…"; languages as "language:xx";
// "license:…"; the card's own tags; file formats the datasets library reads ("format:parquet",
// "format:csv", "format:json", …) with the libraries that load them ("library:datasets",
// "library:pandas", "library:polars"); "region:…". Also the data of
// GET /api/datasets-tags-by-type. Pure functions: any thread.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/json.h"
#include "services/metadata/card_fields.h"
#include "services/metadata/repo_files.h"

namespace hub::services::metadata {

std::vector<std::string> derive_dataset_tags(const CardFields& card, const RepoFiles& repo);

// {type: [{id, label, type}]} where type is the part of a tag before ':' (task_categories,
// language, license, size_categories, format, library, region, ...) and label the part after;
// tags without a known prefix go under "other". `observed_tags`: tags seen on public datasets.
json::object datasets_tags_by_type(std::span<const std::string> observed_tags);

}  // namespace hub::services::metadata
