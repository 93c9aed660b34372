#include "sweep/summary.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <tuple>

#include "store/atomic_output.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::sweep {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Json read_json(const fs::path& path) {
  try {
    return Json::parse(read_whole_file(path));
  } catch (const Json::exception& e) {
    throw InputError(path.string() + ": not valid JSON: " + e.what());
  }
}

std::string relative(const SweepPlan& plan, const fs::path& path) {
  return path.lexically_relative(plan.out).generic_string();
}

}  // namespace

std::string summary_json(const SweepPlan& plan) {
  const Job& job = plan.job;
  Json summary;
  summary["study"] = job.study;
  summary["threshold"] = job.threshold;
  summary["ks"] = job.ks;
  summary["level"] = job.level;
  Json models = Json::array();
  for (const ModelSpec& model : job.models) {
    const ModelPlan& planned = plan.model(model.name);
    models.push_back({{"name", model.name},
                      {"base", model.base},
                      {"family", planned.config.family() + " (" + planned.config.model_type + ")"},
                      {"layers", planned.layers}});
  }
  summary["models"] = models;
  // one result per (model, corpus, layer, K), in stage order
  std::map<std::tuple<std::string, std::string, std::int64_t, std::int64_t>, std::size_t> index;
  Json results = Json::array();
  const auto result_for = [&](const Stage& stage) -> Json& {
    const auto key = std::make_tuple(stage.model, stage.corpus, stage.layer, stage.k);
    auto [found, added] = index.try_emplace(key, results.size());
    if (added) {
      results.push_back({{"model", stage.model},
                         {"corpus", stage.corpus},
                         {"layer", stage.layer},
                         {"k", stage.k},
                         {"alignment", Json::object()}});
    }
    return results[found->second];
  };
  for (const Stage& stage : plan.stages) {
    if (stage.kind == StageKind::align) {
      const Json align = read_json(stage.outputs.front());
      Json& result = result_for(stage);
      std::int64_t points = 0;
      for (const Json& cluster : align.at("per_cluster")) points += cluster.at("size").get<std::int64_t>();
      result["points"] = points;
      result["alignment"][stage.set] = {{"kind", stage.set_kind},
                                        {"aligned", align.at("aligned")},
                                        {"fraction", align.at("aligned_fraction")},
                                        {"coverage", align.at("coverage")},
                                        {"file", relative(plan, stage.outputs.front())}};
    } else if (stage.kind == StageKind::compare) {
      const Json compare = read_json(stage.outputs.front());
      const Json& aligned = compare.at("aligned");
      result_for(stage)["base"] = {{"model", job.model(stage.model).base},
                                   {"aligned", aligned.at("clusters")},
                                   {"fraction", aligned.at("fraction")},
                                   {"reference_aligned", aligned.at("reference_clusters")},
                                   {"reference_fraction", aligned.at("reference_fraction")},
                                   {"file", relative(plan, stage.outputs.front())}};
    }
  }
  // per corpus, the points clustered: the same for every model unless a tokenizer truncated a
  // sentence that another did not (its results' "points" then tell them apart)
  Json corpora = Json::array();
  for (const CorpusSpec& corpus : job.corpora) {
    const CorpusPlan& counts = plan.corpus(corpus.name);
    Json sets = Json::array();
    for (const LabelSetSpec& set : corpus.labels) sets.push_back({{"name", set.name}, {"kind", set.kind}});
    std::set<std::int64_t> points;
    for (const Json& result : results) {
      if (result.at("corpus") == corpus.name && result.contains("points")) points.insert(result.at("points").get<std::int64_t>());
    }
    Json entry = {{"name", corpus.name}, {"sentences", counts.sentences}, {"words", counts.words}};
    if (points.size() == 1) entry["selected"] = *points.begin();
    entry["label_sets"] = sets;
    corpora.push_back(entry);
  }
  summary["corpora"] = corpora;
  summary["results"] = results;
  return summary.dump(1) + "\n";
}

void write_summary(const SweepPlan& plan) {
  store::write_file_atomically(plan.out / "summary.json", summary_json(plan));
}

}  // namespace conceptlens::sweep
