#include "report/summary.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace conceptlens::report {
namespace {

using Json = nlohmann::json;

/// Typed access to a JSON document whose errors name the file and the key's path in it.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw InputError(source_ + ": " + (where.empty() ? std::string() : where + ": ") + what);
  }

  Json parse(const std::string& text) const {
    try {
      return Json::parse(text);
    } catch (const Json::exception& error) {
      fail("", std::string("not valid JSON (") + error.what() + ")");
    }
  }

  void expect_object(const Json& value, const std::string& where) const {
    if (!value.is_object()) fail(where, "expected a JSON object, found " + std::string(value.type_name()));
  }

  const Json* find(const Json& object, const std::string& where, const char* key) const {
    expect_object(object, where);
    const auto found = object.find(key);
    return found == object.end() || found->is_null() ? nullptr : &*found;
  }

  const Json& get(const Json& object, const std::string& where, const char* key) const {
    const Json* value = find(object, where, key);
    if (value == nullptr) fail(where, std::string("missing key '") + key + "'");
    return *value;
  }

  // A value already found (`key` names it in errors).
  std::string as_string(const Json& value, const std::string& where, const char* key) const {
    if (!value.is_string()) mistyped(value, where, key, "a string");
    return value.get<std::string>();
  }
  std::int64_t as_integer(const Json& value, const std::string& where, const char* key) const {
    if (!value.is_number_integer()) mistyped(value, where, key, "an integer");
    return value.get<std::int64_t>();
  }
  double as_number(const Json& value, const std::string& where, const char* key) const {
    if (!value.is_number()) mistyped(value, where, key, "a number");
    const double number = value.get<double>();
    if (!std::isfinite(number)) mistyped(value, where, key, "a finite number");
    return number;
  }
  bool as_boolean(const Json& value, const std::string& where, const char* key) const {
    if (!value.is_boolean()) mistyped(value, where, key, "true or false");
    return value.get<bool>();
  }
  const Json& as_array(const Json& value, const std::string& where, const char* key) const {
    if (!value.is_array()) mistyped(value, where, key, "an array");
    return value;
  }

  // A required key of an object.
  std::string string_at(const Json& object, const std::string& where, const char* key) const {
    return as_string(get(object, where, key), where, key);
  }
  std::int64_t integer_at(const Json& object, const std::string& where, const char* key) const {
    return as_integer(get(object, where, key), where, key);
  }
  bool boolean_at(const Json& object, const std::string& where, const char* key) const {
    return as_boolean(get(object, where, key), where, key);
  }
  const Json& array_at(const Json& object, const std::string& where, const char* key) const {
    return as_array(get(object, where, key), where, key);
  }
  /// A fraction in [0, 1].
  double fraction(const Json& object, const std::string& where, const char* key) const {
    const double value = as_number(get(object, where, key), where, key);
    if (value < 0 || value > 1) fail(where, std::string("'") + key + "' is " + std::to_string(value) + ", expected 0 to 1");
    return value;
  }

 private:
  [[noreturn]] void mistyped(const Json& value, const std::string& where, const char* key, const char* expected) const {
    std::string found = value.dump();
    if (found.size() > 60) found = found.substr(0, 57) + "...";
    fail(where, std::string("'") + key + "' must be " + expected + ", found " + found);
  }

  std::string source_;
};

std::string at(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }
std::string at(const std::string& where, std::size_t index) { return where + "[" + std::to_string(index) + "]"; }

int kind_rank(const std::string& kind) {
  if (kind == "human") return 0;
  if (kind == "task") return 1;
  if (kind == "predicted") return 2;
  return 3;
}

/// The order of concept sets: as a corpus lists them (`position`), then by kind and name.
auto set_key(int position, const LabelSetInfo& set) { return std::make_tuple(position, kind_rank(set.kind), set.name); }

int position_in(const CorpusInfo& corpus, const std::string& set) {
  for (std::size_t i = 0; i < corpus.label_sets.size(); ++i) {
    if (corpus.label_sets[i].name == set) return static_cast<int>(i);
  }
  return INT_MAX;
}

SetResult parse_set(const Reader& reader, const Json& json, const std::string& where, const std::string& name, std::int64_t k) {
  SetResult set;
  set.name = name;
  set.kind = reader.string_at(json, where, "kind");
  set.aligned = reader.integer_at(json, where, "aligned");
  if (set.aligned < 0 || set.aligned > k) {
    reader.fail(where, "'aligned' is " + std::to_string(set.aligned) + ", expected 0 to k = " + std::to_string(k));
  }
  set.fraction = reader.fraction(json, where, "fraction");
  if (reader.find(json, where, "coverage") != nullptr) set.coverage = reader.fraction(json, where, "coverage");
  if (const Json* file = reader.find(json, where, "file")) set.file = reader.as_string(*file, where, "file");
  return set;
}

BaseResult parse_base(const Reader& reader, const Json& json, const std::string& where) {
  BaseResult base;
  base.aligned = reader.integer_at(json, where, "aligned");
  base.fraction = reader.fraction(json, where, "fraction");
  base.reference_aligned = reader.integer_at(json, where, "reference_aligned");
  base.reference_fraction = reader.fraction(json, where, "reference_fraction");
  if (const Json* file = reader.find(json, where, "file")) base.file = reader.as_string(*file, where, "file");
  return base;
}

}  // namespace

const ModelInfo& Study::model(const std::string& model_name) const {
  const auto found = std::find_if(models.begin(), models.end(), [&](const ModelInfo& m) { return m.name == model_name; });
  CONCEPTLENS_CHECK(found != models.end());
  return *found;
}

const CorpusInfo& Study::corpus(const std::string& corpus_name) const {
  const auto found = std::find_if(corpora.begin(), corpora.end(), [&](const CorpusInfo& c) { return c.name == corpus_name; });
  CONCEPTLENS_CHECK(found != corpora.end());
  return *found;
}

std::vector<LabelSetInfo> Study::concept_sets(const std::string& model_name, const std::string& corpus_name) const {
  const CorpusInfo& info = corpus(corpus_name);
  std::vector<LabelSetInfo> sets;
  for (const Result& result : results) {
    if (result.model != model_name || result.corpus != corpus_name) continue;
    for (const SetResult& set : result.sets) {
      const bool known = std::any_of(sets.begin(), sets.end(), [&](const LabelSetInfo& s) { return s.name == set.name; });
      if (!known) sets.push_back({set.name, set.kind});
    }
  }
  std::stable_sort(sets.begin(), sets.end(), [&](const LabelSetInfo& a, const LabelSetInfo& b) {
    return set_key(position_in(info, a.name), a) < set_key(position_in(info, b.name), b);
  });
  return sets;
}

std::vector<std::string> Study::all_set_names() const {
  std::map<std::string, std::tuple<int, int, std::string>> keys;  // name -> order key
  int position = 0;
  for (const CorpusInfo& info : corpora) {
    for (const LabelSetInfo& set : info.label_sets) {
      if (!keys.contains(set.name)) keys[set.name] = set_key(position, set);
      ++position;
    }
  }
  for (const Result& result : results) {
    for (const SetResult& set : result.sets) {
      if (!keys.contains(set.name)) keys[set.name] = set_key(INT_MAX, {set.name, set.kind});
    }
  }
  std::vector<std::pair<std::tuple<int, int, std::string>, std::string>> ordered;
  for (const auto& [set_name, key] : keys) ordered.emplace_back(key, set_name);
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> names;
  for (const auto& each : ordered) names.push_back(each.second);
  return names;
}

Study parse_summary(const std::string& text, const std::string& source) {
  const Reader reader(source);
  const Json json = reader.parse(text);
  reader.expect_object(json, "");
  Study study;
  study.name = reader.string_at(json, "", "study");
  study.threshold = reader.fraction(json, "", "threshold");
  for (const Json& k : reader.array_at(json, "", "ks")) {
    study.ks.push_back(reader.as_integer(k, "ks", "ks"));
  }

  const Json& models = reader.array_at(json, "", "models");
  for (std::size_t i = 0; i < models.size(); ++i) {
    const std::string where = at("models", i);
    ModelInfo model;
    model.name = reader.string_at(models[i], where, "name");
    if (const Json* base = reader.find(models[i], where, "base")) model.base = reader.as_string(*base, where, "base");
    if (const Json* family = reader.find(models[i], where, "family")) {
      model.family = reader.as_string(*family, where, "family");
    }
    for (const ModelInfo& other : study.models) {
      if (other.name == model.name) reader.fail(where, "model '" + model.name + "' is listed twice");
    }
    study.models.push_back(std::move(model));
  }
  for (const ModelInfo& model : study.models) {
    const bool known = model.base.empty() || std::any_of(study.models.begin(), study.models.end(),
                                                         [&](const ModelInfo& m) { return m.name == model.base; });
    if (!known) reader.fail("models", "model '" + model.name + "' names base '" + model.base + "', which is not listed");
  }

  const Json& corpora = reader.array_at(json, "", "corpora");
  for (std::size_t i = 0; i < corpora.size(); ++i) {
    const std::string where = at("corpora", i);
    CorpusInfo corpus;
    corpus.name = reader.string_at(corpora[i], where, "name");
    if (const Json* n = reader.find(corpora[i], where, "sentences")) corpus.sentences = reader.as_integer(*n, where, "sentences");
    if (const Json* n = reader.find(corpora[i], where, "words")) corpus.words = reader.as_integer(*n, where, "words");
    if (const Json* n = reader.find(corpora[i], where, "selected"); n != nullptr && n->is_number_integer()) {
      corpus.selected = n->get<std::int64_t>();
    }
    if (const Json* sets = reader.find(corpora[i], where, "label_sets")) {
      reader.as_array(*sets, where, "label_sets");
      for (std::size_t s = 0; s < sets->size(); ++s) {
        const std::string set_where = at(at(where, "label_sets"), s);
        corpus.label_sets.push_back({reader.string_at((*sets)[s], set_where, "name"),
                                     reader.string_at((*sets)[s], set_where, "kind")});
      }
    }
    for (const CorpusInfo& other : study.corpora) {
      if (other.name == corpus.name) reader.fail(where, "corpus '" + corpus.name + "' is listed twice");
    }
    study.corpora.push_back(std::move(corpus));
  }

  std::map<std::string, std::size_t> model_order;
  for (std::size_t i = 0; i < study.models.size(); ++i) model_order[study.models[i].name] = i;
  std::map<std::string, std::size_t> corpus_order;
  for (std::size_t i = 0; i < study.corpora.size(); ++i) corpus_order[study.corpora[i].name] = i;

  const Json& results = reader.array_at(json, "", "results");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string where = at("results", i);
    Result result;
    result.model = reader.string_at(results[i], where, "model");
    if (!model_order.contains(result.model)) reader.fail(where, "model '" + result.model + "' is not in 'models'");
    result.corpus = reader.string_at(results[i], where, "corpus");
    if (!corpus_order.contains(result.corpus)) reader.fail(where, "corpus '" + result.corpus + "' is not in 'corpora'");
    const std::int64_t layer = reader.integer_at(results[i], where, "layer");
    if (layer < 0 || layer > 10000) reader.fail(where, "'layer' is " + std::to_string(layer) + ", expected 0 or more");
    result.layer = static_cast<int>(layer);
    result.k = reader.integer_at(results[i], where, "k");
    if (result.k <= 0) reader.fail(where, "'k' is " + std::to_string(result.k) + ", expected a positive integer");
    if (const Json* points = reader.find(results[i], where, "points")) result.points = reader.as_integer(*points, where, "points");
    const Json& alignment = reader.get(results[i], where, "alignment");
    reader.expect_object(alignment, at(where, "alignment"));
    for (const auto& [name, set] : alignment.items()) {
      result.sets.push_back(parse_set(reader, set, at(at(where, "alignment"), name), name, result.k));
    }
    if (const Json* base = reader.find(results[i], where, "base")) result.base = parse_base(reader, *base, at(where, "base"));
    study.results.push_back(std::move(result));
  }

  const auto result_key = [&](const Result& r) {
    return std::make_tuple(model_order.at(r.model), corpus_order.at(r.corpus), r.k, r.layer);
  };
  std::stable_sort(study.results.begin(), study.results.end(),
                   [&](const Result& a, const Result& b) { return result_key(a) < result_key(b); });
  for (std::size_t i = 1; i < study.results.size(); ++i) {
    const Result& r = study.results[i];
    if (result_key(study.results[i - 1]) == result_key(r)) {
      reader.fail("results", "two results for model '" + r.model + "', corpus '" + r.corpus + "', layer " +
                                 std::to_string(r.layer) + ", k " + std::to_string(r.k));
    }
  }
  for (Result& result : study.results) {
    const CorpusInfo& info = study.corpus(result.corpus);
    std::stable_sort(result.sets.begin(), result.sets.end(), [&](const SetResult& a, const SetResult& b) {
      return set_key(position_in(info, a.name), {a.name, a.kind}) < set_key(position_in(info, b.name), {b.name, b.kind});
    });
  }

  for (const auto& [key, value] : json.items()) {
    static const char* const kKnown[] = {"study", "threshold", "ks", "models", "corpora", "results"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      study.other_settings.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return study;
}

Study read_summary(const std::filesystem::path& results_dir) {
  const std::filesystem::path path = results_dir / "summary.json";
  return parse_summary(read_whole_file(path), path.string());
}

ConceptTable read_concepts(const std::filesystem::path& results_dir, const Result& result) {
  ConceptTable table;
  std::map<std::int64_t, Concept> concepts;
  std::vector<const SetResult*> sets;
  for (const SetResult& set : result.sets) {
    if (set.file.empty()) continue;
    table.sets.push_back(set.name);
    sets.push_back(&set);
  }
  const auto concept_at = [&](std::int64_t cluster) -> Concept& {
    Concept& concept_ = concepts[cluster];
    concept_.cluster = cluster;
    concept_.labels.resize(table.sets.size());
    return concept_;
  };
  const auto read_json = [&](const std::string& file, const Reader& reader) {
    const std::filesystem::path path = results_dir / file;
    const Json json = reader.parse(read_whole_file(path));
    reader.expect_object(json, "");
    const std::int64_t k = reader.integer_at(json, "", "k");
    if (k != result.k) {
      reader.fail("", "holds K = " + std::to_string(k) + ", but summary.json names it for K = " + std::to_string(result.k));
    }
    return json;
  };

  for (std::size_t s = 0; s < sets.size(); ++s) {
    const Reader reader((results_dir / sets[s]->file).string());
    const Json json = read_json(sets[s]->file, reader);
    const Json& per_cluster = reader.array_at(json, "", "per_cluster");
    for (std::size_t i = 0; i < per_cluster.size(); ++i) {
      const std::string where = at("per_cluster", i);
      const Json& entry = per_cluster[i];
      Concept& concept_ = concept_at(reader.integer_at(entry, where, "cluster"));
      ConceptLabel& label = concept_.labels[s];
      if (label.present) reader.fail(where, "cluster " + std::to_string(concept_.cluster) + " is listed twice");
      label.present = true;
      label.label = reader.string_at(entry, where, "label");
      label.share = reader.fraction(entry, where, "share");
      label.aligned = reader.boolean_at(entry, where, "aligned");
      if (const Json* skipped = reader.find(entry, where, "skipped")) label.skipped = reader.as_string(*skipped, where, "skipped");
      const std::int64_t size = reader.integer_at(entry, where, "size");
      if (concept_.size == 0) concept_.size = size;
      if (concept_.top_words.empty()) {
        if (const Json* words = reader.find(entry, where, "top_words")) {
          for (const Json& word : reader.as_array(*words, where, "top_words")) {
            concept_.top_words.push_back(reader.as_string(word, at(where, "top_words"), "top_words"));
          }
        }
      }
    }
  }

  if (result.base && !result.base->file.empty()) {
    table.has_base = true;
    const Reader reader((results_dir / result.base->file).string());
    const Json json = read_json(result.base->file, reader);
    const Json& per_cluster = reader.array_at(json, "", "per_cluster");
    for (std::size_t i = 0; i < per_cluster.size(); ++i) {
      const std::string where = at("per_cluster", i);
      const Json& entry = per_cluster[i];
      Concept& concept_ = concept_at(reader.integer_at(entry, where, "cluster"));
      if (concept_.base.present) reader.fail(where, "cluster " + std::to_string(concept_.cluster) + " is listed twice");
      concept_.base.present = true;
      concept_.base.reference_cluster = reader.integer_at(entry, where, "reference_cluster");
      concept_.base.overlap = reader.fraction(entry, where, "overlap");
      concept_.base.aligned = reader.boolean_at(entry, where, "aligned");
      if (concept_.size == 0) concept_.size = reader.integer_at(entry, where, "size");
    }
  }

  for (auto& [cluster, concept_] : concepts) table.concepts.push_back(std::move(concept_));
  return table;
}

}  // namespace conceptlens::report
