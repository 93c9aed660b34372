#include "sweep/sweep_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "app/cluster_command.hpp"
#include "app/layer_list.hpp"
#include "corpus/corpus_file.hpp"
#include "model/memory_estimate.hpp"
#include "model/model_config.hpp"
#include "store/atomic_output.hpp"
#include "tokenize/hf_config.hpp"
#include "tokenize/tokenizer.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"
#include "util/memory.hpp"
#include "util/read_file.hpp"

#ifndef CONCEPTLENS_VERSION
#error "CONCEPTLENS_VERSION must be defined by the build (see src/CMakeLists.txt)"
#endif

namespace conceptlens::sweep {
namespace {

namespace fs = std::filesystem;

const char* const kKindNames[] = {"extract", "cluster", "align", "compare", "triggers"};

std::string layer_k(std::int64_t layer, std::int64_t k) {
  return "layer-" + std::to_string(layer) + "-k" + std::to_string(k);
}

/// A stage and its id: "<kind>/<model>/<corpus>[/layer-<L>-k<K>][/<set>]".
Stage make_stage(StageKind kind, const std::string& model, const std::string& corpus, std::int64_t layer = -1,
                 std::int64_t k = 0, const std::string& set = {}, const std::string& set_kind = {}) {
  Stage stage;
  stage.kind = kind;
  stage.model = model;
  stage.corpus = corpus;
  stage.layer = layer;
  stage.k = k;
  stage.set = set;
  stage.set_kind = set_kind;
  stage.id = std::string(kKindNames[static_cast<int>(kind)]) + "/" + model + "/" + corpus;
  if (layer >= 0) stage.id.append("/").append(layer_k(layer, k));
  if (!set.empty()) stage.id.append("/").append(set);
  return stage;
}

/// FNV-1a of a file's bytes, read in blocks.
std::uint64_t hash_file(const fs::path& path, std::uint64_t hash) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot be read");
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    hash = fnv1a(block.data(), static_cast<std::size_t>(in.gcount()), hash);
  }
  return mix(hash);
}

/// Every regular file of a checkpoint folder, by name: names and contents.
std::uint64_t hash_folder(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::uint64_t hash = kFnv1aOffset;
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    hash = hash_file(file, fnv1a(name.data(), name.size(), hash));
  }
  return hash;
}

/// The key of a stage: its parts, in order, hashed.
class Key {
 public:
  Key& operator<<(const std::string& part) {
    hash_ = fnv1a(part.data(), part.size(), hash_);
    hash_ = fnv1a("\x1f", 1, hash_);
    return *this;
  }
  Key& operator<<(std::int64_t value) { return *this << std::to_string(value); }
  Key& operator<<(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    return *this << std::string(text);
  }
  std::string text() const { return to_hex(mix(hash_)); }

 private:
  std::uint64_t hash_ = kFnv1aOffset;
};

/// The kinds whose results a stage of `kind` is made from, its own included.
std::vector<StageKind> kinds_read(StageKind kind) {
  switch (kind) {
    case StageKind::extract: return {StageKind::extract};
    case StageKind::cluster: return {StageKind::extract, StageKind::cluster};
    case StageKind::align: return {StageKind::extract, StageKind::cluster, StageKind::align};
    case StageKind::compare: return {StageKind::extract, StageKind::cluster, StageKind::compare};
    case StageKind::triggers: return {StageKind::extract, StageKind::cluster, StageKind::align, StageKind::triggers};
  }
  return {};
}

/// The stamp's text, "" when there is none.
std::string stamp_text(const SweepPlan& plan, const Stage& stage) {
  const fs::path stamp = stamp_path(plan.out, stage);
  return fs::exists(stamp) ? read_whole_file(stamp) : std::string();
}

}  // namespace

std::int64_t ResultsVersions::of(StageKind kind) const {
  switch (kind) {
    case StageKind::extract: return extract;
    case StageKind::cluster: return cluster;
    case StageKind::align: return align;
    case StageKind::compare: return compare;
    case StageKind::triggers: return triggers;
  }
  return 0;
}

std::string ResultsVersions::text() const {
  std::string out;
  for (const StageKind kind :
       {StageKind::extract, StageKind::cluster, StageKind::align, StageKind::compare, StageKind::triggers}) {
    out += std::string(out.empty() ? "" : " ") + kKindNames[static_cast<int>(kind)] + " " + std::to_string(of(kind));
  }
  return out;
}

ResultsVersions ResultsVersions::parse(const std::string& stamp) {
  ResultsVersions versions{1, 1, 1, 1, 1};
  const std::size_t at = stamp.find("results ");
  if (at == std::string::npos) return versions;
  std::istringstream in(stamp.substr(at + 8, stamp.find('\n', at) - at - 8));
  std::string name;
  std::int64_t number = 0;
  while (in >> name >> number) {
    if (name == "extract") versions.extract = number;
    if (name == "cluster") versions.cluster = number;
    if (name == "align") versions.align = number;
    if (name == "compare") versions.compare = number;
    if (name == "triggers") versions.triggers = number;
  }
  return versions;
}

const ModelPlan& SweepPlan::model(const std::string& name) const {
  for (const ModelPlan& m : models) {
    if (m.name == name) return m;
  }
  throw std::logic_error("no model " + name);
}

const CorpusPlan& SweepPlan::corpus(const std::string& name) const {
  for (const CorpusPlan& c : corpora) {
    if (c.name == name) return c;
  }
  throw std::logic_error("no corpus " + name);
}

fs::path activations_path(const fs::path& out, const std::string& model, const std::string& corpus) {
  return out / model / corpus / "activations.h5";
}

fs::path clusters_dir(const fs::path& out, const std::string& model, const std::string& corpus) {
  return out / model / corpus / "clusters";
}

fs::path stamp_path(const fs::path& out, const Stage& stage) { return out / ".stamps" / (stage.id + ".key"); }

SweepPlan plan_sweep(const Job& job, const fs::path& out) {
  SweepPlan plan;
  plan.job = job;
  plan.out = out;
  for (const ModelSpec& spec : job.models) {
    const model::ModelConfig config = model::read_model_config(spec.path / "config.json");
    ModelPlan model;
    model.name = spec.name;
    model.config = config;
    model.predicts = config.has_sequence_classification_head();
    std::int64_t max_length = tokenize::Tokenizer::kNoMaxLength;  // the tokenizer's, when its config is there
    if (const fs::path tokenizer_config = spec.path / "tokenizer_config.json"; fs::exists(tokenizer_config)) {
      tokenize::hf::read_max_length(tokenize::hf::read_json_object(tokenizer_config), tokenizer_config,
                                    tokenize::Tokenizer::kNoMaxLength, max_length);
    }
    max_length = std::min(max_length, config.max_tokens());
    model.max_tokens = max_length == tokenize::Tokenizer::kNoMaxLength ? 0 : max_length;
    std::vector<std::int64_t> all(static_cast<std::size_t>(config.num_hidden_layers + 1));
    std::iota(all.begin(), all.end(), 0);
    try {
      model.layers = app::parse_layer_list(job.layers, all);
    } catch (const InputError& e) {
      throw InputError(job.file.string() + ": layers: " + e.what());
    }
    for (const std::int64_t layer : model.layers) {
      if (layer > config.num_hidden_layers) {
        throw InputError(job.file.string() + ": layers: model '" + spec.name + "' has layers 0.." +
                         std::to_string(config.num_hidden_layers) + ", not " + std::to_string(layer));
      }
    }
    if (!spec.task.empty()) {
      if (!model.predicts) {
        throw InputError(job.file.string() + ": model '" + spec.name + "' names the task corpus '" + spec.task +
                         "', but " + (spec.path / "config.json").string() +
                         " describes no sequence-classification model (no head to predict classes)");
      }
      try {
        model.trigger_layers = job.triggers.layers.empty() ? std::vector<std::int64_t>{model.layers.back()}
                                                           : app::parse_layer_list(job.triggers.layers, model.layers);
      } catch (const InputError& e) {
        throw InputError(job.file.string() + ": triggers.layers: " + e.what());
      }
      for (const std::int64_t layer : model.trigger_layers) {
        if (std::find(model.layers.begin(), model.layers.end(), layer) == model.layers.end()) {
          throw InputError(job.file.string() + ": triggers.layers: layer " + std::to_string(layer) + " of model '" +
                           spec.name + "' is not one of the study's layers (" + app::layer_list_text(model.layers) +
                           "): its concepts are not clustered");
        }
      }
    }
    plan.models.push_back(std::move(model));
  }
  for (std::size_t c = 0; c < job.corpora.size(); ++c) {
    const CorpusSpec& spec = job.corpora[c];
    const corpus::Corpus text = corpus::read_corpus(spec.path, corpus::CorpusRules{.pairs = spec.pairs});
    for (const ModelPlan& model : plan.models) {  // every model extracts every corpus
      const model::Architecture architecture = model.config.architecture;
      if (spec.pairs && (architecture == model::Architecture::gpt2 || architecture == model::Architecture::llama)) {
        throw InputError(job.file.string() + ": corpus '" + spec.name + "' has pairs = true, and model '" + model.name +
                         "' is a " + model.config.family() +
                         ": sentence pairs are fed to BERT, DistilBERT, ALBERT, XLM-R and RoBERTa models only");
      }
    }
    const auto selected = static_cast<std::int64_t>(select::select_tokens(text.lines, job.selection).rows.size());
    if (job.ks.back() > selected) {
      throw InputError(job.file.string() + ": k: K = " + std::to_string(job.ks.back()) + " is larger than the " +
                       std::to_string(selected) + " tokens the [cluster] selection keeps from corpus '" + spec.name +
                       "' (" + spec.path.string() + ")");
    }
    std::int64_t longest = 0;
    for (const std::string& line : text.lines) {
      longest = std::max(longest, static_cast<std::int64_t>(line.size() + corpus::split_words(line).size()));
    }
    plan.corpora.push_back({spec.name, text.sentences(), text.words, selected, longest});
  }

  // stages: extraction of every (model, corpus), their clustering, alignment, comparison
  for (const ModelSpec& model : job.models) {
    for (const CorpusSpec& corpus : job.corpora) {
      Stage stage = make_stage(StageKind::extract, model.name, corpus.name);
      stage.outputs = {activations_path(out, model.name, corpus.name)};
      plan.stages.push_back(std::move(stage));
    }
  }
  for (const ModelSpec& model : job.models) {
    for (const CorpusSpec& corpus : job.corpora) {
      Stage stage = make_stage(StageKind::cluster, model.name, corpus.name);
      for (const std::int64_t layer : plan.model(model.name).layers) {
        stage.outputs.push_back(clusters_dir(out, model.name, corpus.name) /
                                ("layer-" + std::to_string(layer) + ".h5"));
      }
      plan.stages.push_back(std::move(stage));
    }
  }
  for (const ModelSpec& model : job.models) {
    for (const CorpusSpec& corpus : job.corpora) {
      std::vector<std::pair<std::string, std::string>> sets;
      bool task = false;
      for (const LabelSetSpec& set : corpus.labels) {
        sets.emplace_back(set.name, set.kind);
        task = task || set.kind == "task";
      }
      // a model's own classes: on its task corpus, or on every task corpus when it names none
      if (task && plan.model(model.name).predicts && (model.task.empty() || model.task == corpus.name)) {
        sets.emplace_back("predicted", "predicted");
      }
      for (const std::int64_t layer : plan.model(model.name).layers) {
        for (const std::int64_t k : job.ks) {
          for (const auto& [set, kind] : sets) {
            Stage stage = make_stage(StageKind::align, model.name, corpus.name, layer, k, set, kind);
            stage.outputs = {out / model.name / corpus.name / "align" / (layer_k(layer, k) + "-" + set + ".json")};
            plan.stages.push_back(std::move(stage));
          }
        }
      }
    }
  }
  for (const ModelSpec& model : job.models) {
    if (model.base.empty()) continue;
    const auto& base_layers = plan.model(model.base).layers;
    for (const CorpusSpec& corpus : job.corpora) {
      for (const std::int64_t layer : plan.model(model.name).layers) {
        if (std::find(base_layers.begin(), base_layers.end(), layer) == base_layers.end()) continue;
        for (const std::int64_t k : job.ks) {
          Stage stage = make_stage(StageKind::compare, model.name, corpus.name, layer, k);
          stage.outputs = {out / model.name / corpus.name / "compare" / (layer_k(layer, k) + ".json")};
          plan.stages.push_back(std::move(stage));
        }
      }
    }
  }
  for (const ModelSpec& model : job.models) {
    if (model.task.empty()) continue;
    const CorpusSpec& corpus = job.corpus(model.task);
    for (const std::int64_t layer : plan.model(model.name).trigger_layers) {
      for (const std::int64_t k : job.ks) {
        for (const LabelSetSpec& set : corpus.labels) {
          if (set.kind != "task") continue;
          Stage stage = make_stage(StageKind::triggers, model.name, corpus.name, layer, k, set.name, set.kind);
          stage.outputs = {out / model.name / corpus.name / "triggers" / (layer_k(layer, k) + "-" + set.name + ".json")};
          plan.stages.push_back(std::move(stage));
        }
      }
    }
  }
  return plan;
}

void compute_keys(SweepPlan& plan) {
  const Job& job = plan.job;
  std::map<std::string, std::string> extract_keys;
  std::map<std::string, std::string> cluster_keys;
  std::map<std::string, std::uint64_t> hashes;
  const auto folder_hash = [&](const fs::path& folder) {
    auto [found, added] = hashes.try_emplace(folder.string(), 0);
    if (added) found->second = hash_folder(folder);
    return to_hex(found->second);
  };
  const auto file_hash = [&](const fs::path& file) {
    auto [found, added] = hashes.try_emplace(file.string(), 0);
    if (added) found->second = hash_file(file, kFnv1aOffset);
    return to_hex(found->second);
  };
  for (Stage& stage : plan.stages) {
    const std::string pair = stage.model + "/" + stage.corpus;
    Key key;
    key << stage.id << plan.versions.of(stage.kind);
    switch (stage.kind) {
      case StageKind::extract: {
        const ModelPlan& model = plan.model(stage.model);
        key << folder_hash(job.model(stage.model).path) << file_hash(job.corpus(stage.corpus).path)
            << static_cast<std::int64_t>(job.corpus(stage.corpus).pairs) << job.aggregation
            << job.dtype << job.batch_tokens << static_cast<std::int64_t>(model.predicts);
        if (job.compute_dtype != "float32") key << job.compute_dtype;  // keeps the keys of float32 studies
        for (const std::int64_t layer : model.layers) key << layer;
        extract_keys[pair] = stage.key = key.text();
        break;
      }
      case StageKind::cluster: {
        key << extract_keys.at(pair) << job.selection.min_freq << job.selection.max_per_type << job.selection.drop_freq
            << job.selection.max_words << job.mode;
        for (const std::int64_t k : job.ks) key << k;
        cluster_keys[pair] = stage.key = key.text();
        break;
      }
      case StageKind::align: {
        key << cluster_keys.at(pair) << stage.set_kind << job.threshold << job.max_unk << job.level;
        if (stage.set_kind == "predicted") {
          key << extract_keys.at(pair);
        } else {
          const CorpusSpec& corpus = job.corpus(stage.corpus);
          const LabelSetSpec& set = corpus.label_set(stage.set);
          const auto truth = [](const std::optional<bool>& value) -> std::string {
            return value ? (*value ? "true" : "false") : "";
          };
          key << file_hash(set.path) << file_hash(corpus.path) << set.format << set.column
              << set.preprocess.value_or("") << truth(set.ignore_unks) << truth(set.na_unk);
        }
        stage.key = key.text();
        break;
      }
      case StageKind::triggers: {
        const CorpusSpec& corpus = job.corpus(stage.corpus);
        const LabelSetSpec& set = corpus.label_set(stage.set);
        const TriggerSettings& triggers = job.triggers;
        key << cluster_keys.at(pair) << file_hash(set.path) << file_hash(corpus.path) << set.format << set.column
            << triggers.threshold.value_or(job.threshold) << triggers.trigger_words << triggers.position
            << triggers.baseline_draws << triggers.seed << job.batch_tokens << static_cast<std::int64_t>(corpus.pairs);
        for (const std::string& entry : job.model(stage.model).class_map) key << entry;
        stage.key = key.text();
        break;
      }
      case StageKind::compare: {
        key << cluster_keys.at(pair) << cluster_keys.at(job.model(stage.model).base + "/" + stage.corpus)
            << job.threshold;
        stage.key = key.text();
        break;
      }
    }
  }
}

bool stage_complete(const SweepPlan& plan, const Stage& stage) {
  for (const fs::path& output : stage.outputs) {
    if (!fs::exists(output)) return false;
  }
  const std::string stamp = stamp_text(plan, stage);
  return stamp.substr(0, stamp.find('\n')) == stage.key;
}

void stamp_stage(const SweepPlan& plan, const Stage& stage) {
  const fs::path stamp = stamp_path(plan.out, stage);
  fs::create_directories(stamp.parent_path());
  store::write_file_atomically(stamp, stage.key + "\nresults " + plan.versions.text() + "; conceptlens " +
                                          CONCEPTLENS_VERSION + "\n");
}

bool redone_by_upgrade(const SweepPlan& plan, const Stage& stage) {
  const std::string stamp = stamp_text(plan, stage);
  if (stamp.empty()) return false;
  const ResultsVersions made = ResultsVersions::parse(stamp);
  for (const StageKind kind : kinds_read(stage.kind)) {
    if (made.of(kind) != plan.versions.of(kind)) return true;
  }
  return false;
}

app::ClusterOptions cluster_options(const Job& job) {
  app::ClusterOptions options;
  options.selection = job.selection;
  options.ks = job.ks;
  options.mode = job.mode;
  options.memory_per_rank = job.memory_per_rank;
  options.checkpoint_every = job.checkpoint_every;
  return options;
}

std::string describe_plan(const SweepPlan& plan, int ranks) {
  std::ostringstream out;
  const Job& job = plan.job;
  out << "study '" << job.study << "' (" << job.file.string() << ") into " << plan.out.string() << " on " << ranks
      << " rank(s)\n";
  const model::ComputeDtype compute = model::parse_compute_dtype(job.compute_dtype);
  for (const ModelPlan& model : plan.models) {
    const ModelSpec& spec = job.model(model.name);
    out << "  model " << model.name << ": " << spec.path.string() << ", " << model.config.family() << " ("
        << model.config.model_type << "), layers";
    for (const std::int64_t layer : model.layers) out << " " << layer;
    out << ", hidden " << model.config.hidden_size << (spec.base.empty() ? "" : ", fine-tuned from " + spec.base)
        << (model.predicts ? ", predicts classes" : "") << "\n";
  }
  for (const CorpusPlan& corpus : plan.corpora) {
    out << "  corpus " << corpus.name << ": " << corpus.sentences
        << (job.corpus(corpus.name).pairs ? " sentence pairs (premise TAB hypothesis), " : " sentences, ")
        << corpus.words << " words, "
        << corpus.selected << " selected for clustering\n";
  }
  std::size_t complete = 0;
  std::size_t upgraded = 0;
  for (const Stage& stage : plan.stages) {
    const bool done = stage_complete(plan, stage);
    const bool upgrade = !done && redone_by_upgrade(plan, stage);
    complete += done ? 1 : 0;
    upgraded += upgrade ? 1 : 0;
    out << "  " << (done ? "[complete] " : upgrade ? "[upgrade]  " : "[to run]   ") << stage.id;
    if (stage.kind == StageKind::extract) {
      // at most: batches of batch_tokens padded tokens of the longest sentence the model takes
      const ModelPlan& model = plan.model(stage.model);
      const std::int64_t longest = plan.corpus(stage.corpus).longest;
      const std::int64_t length = model.max_tokens > 0 ? std::min(model.max_tokens, longest) : longest;
      const std::int64_t batch = std::max<std::int64_t>(1, job.batch_tokens / std::max<std::int64_t>(1, length));
      const auto layers = static_cast<std::int64_t>(model.layers.size());
      out << ": all " << ranks << " ranks split the corpus; "
          << model::describe_memory(model::weight_bytes(model.config, model.predicts, compute),
                                    model::activation_bytes(model.config, compute, batch, length, layers), compute)
          << " at most";
    }
    if (stage.kind == StageKind::cluster) {
      const std::int64_t layers = static_cast<std::int64_t>(plan.model(stage.model).layers.size());
      const std::int64_t groups = std::min<std::int64_t>(ranks, layers);
      const std::int64_t per_group = std::max<std::int64_t>(1, ranks / groups);
      // the mode as `cluster` plans it for the job's --mode and --memory-per-rank (the machine's
      // memory is the time estimate's to weigh: it refuses a clustering that cannot fit)
      const app::ClusterOptions options = cluster_options(plan.job);
      const std::int64_t n = plan.corpus(stage.corpus).selected;
      const std::int64_t d = plan.model(stage.model).config.hidden_size;
      char figures[160];
      std::snprintf(figures, sizeof figures, ": %lld layers in %lld group(s) of %lld+ rank(s); ",
                    static_cast<long long>(layers), static_cast<long long>(groups), static_cast<long long>(per_group));
      out << figures;
      try {
        const app::ClusterPlan mode = app::plan_cluster(options, n, d, sizeof(float), static_cast<int>(per_group),
                                                        std::numeric_limits<std::uint64_t>::max() / 2, false);
        out << cluster::to_string(mode.source) << " mode about " << format_bytes(mode.bytes_per_rank) << " per rank";
      } catch (const InputError& error) {
        out << error.what();
      }
    }
    out << "\n";
    for (const fs::path& output : stage.outputs) out << "               -> " << output.string() << "\n";
  }
  out << "  then summary.json, summary.csv, report.html, run-log.json\n";
  out << plan.stages.size() << " stages, " << complete << " complete, " << plan.stages.size() - complete
      << " to run";
  if (upgraded > 0) {
    out << ", of which " << upgraded << " [upgrade]: made by a version that computes them otherwise (this one: results "
        << plan.versions.text() << ")";
  }
  out << "\n";
  return out.str();
}

}  // namespace conceptlens::sweep
