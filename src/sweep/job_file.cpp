#include "sweep/job_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "util/error.hpp"

namespace conceptlens::sweep {
namespace {

namespace fs = std::filesystem;

/// Reads one table of the job file, remembering which keys were used, so that every key the
/// table holds beyond them is reported as unknown.
class Table {
 public:
  Table(const fs::path& file, const toml::table& table, std::string where)
      : file_(file), table_(table), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
    throw InputError(file_.string() + ": " + qualified(key) + ": " + reason);
  }

  std::string qualified(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

  const toml::node* find(const std::string& key) {
    used_.insert(key);
    return table_.get(key);
  }

  std::string text(const std::string& key, const std::string& fallback, bool required = false) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      if (required) fail(key, "missing; expected a string");
      return fallback;
    }
    const auto value = node->value<std::string>();
    if (!node->is_string() || !value) fail(key, "expected a string, found " + type_name(*node));
    return *value;
  }

  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t minimum) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    if (!node->is_integer()) fail(key, "expected an integer, found " + type_name(*node));
    const std::int64_t value = *node->value<std::int64_t>();
    if (value < minimum) fail(key, "expected at least " + std::to_string(minimum) + ", found " + std::to_string(value));
    return value;
  }

  double number(const std::string& key, double fallback, double minimum, double maximum) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    if (!node->is_number()) fail(key, "expected a number, found " + type_name(*node));
    const double value = *node->value<double>();
    if (!(value >= minimum && value <= maximum)) {  // TOML has nan: no comparison holds for it
      std::ostringstream range;
      range << "expected a number in [" << minimum << ", " << maximum << "], found " << value;
      fail(key, range.str());
    }
    return value;
  }

  std::string choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& choices) {
    const std::string value = text(key, fallback);
    if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
      std::string list;
      for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
      fail(key, "'" + value + "' is not one of " + list);
    }
    return value;
  }

  /// A sub-table (empty when absent).
  const toml::table* table(const std::string& key) {
    const toml::node* node = find(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) fail(key, "expected a table ([" + qualified(key) + "]), found " + type_name(*node));
    return node->as_table();
  }

  /// An array of tables ([[key]]).
  std::vector<const toml::table*> tables(const std::string& key) {
    std::vector<const toml::table*> out;
    const toml::node* node = find(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) fail(key, "expected tables ([[" + qualified(key) + "]]), found " + type_name(*node));
    for (const toml::node& element : *array) {
      if (!element.is_table()) fail(key, "expected tables ([[" + qualified(key) + "]]), found " + type_name(element));
      out.push_back(element.as_table());
    }
    return out;
  }

  /// Every key of the table must have been read.
  void check_known() const {
    for (const auto& [key, value] : table_) {
      if (used_.count(std::string(key.str())) == 0) fail(std::string(key.str()), "unknown key");
    }
  }

  static std::string type_name(const toml::node& node) {
    std::ostringstream out;
    out << node.type();
    return out.str();
  }

 private:
  const fs::path& file_;
  const toml::table& table_;
  std::string where_;
  std::set<std::string> used_;
};

/// ${name} replaced by the environment variable `name` or else [paths].name.
std::string expand(const std::string& text, const std::map<std::string, std::string>& paths, Table& where,
                   const std::string& key) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t open = text.find("${", at);
    if (open == std::string::npos) return out + text.substr(at);
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) where.fail(key, "'" + text + "': '${' without '}'");
    const std::string name = text.substr(open + 2, close - open - 2);
    out += text.substr(at, open - at);
    if (const char* value = std::getenv(name.c_str()); value != nullptr && *value != '\0') {
      out += value;
    } else if (const auto found = paths.find(name); found != paths.end()) {
      out += found->second;
    } else {
      where.fail(key, "'" + text + "': ${" + name + "} is neither in [paths] nor in the environment");
    }
    at = close + 1;
  }
}

fs::path resolve(const fs::path& job, const std::string& text) {
  const fs::path path(text);
  return path.is_absolute() ? path : job.parent_path() / path;
}

/// What the sweep itself writes at the top of the results folder (sweep/sweep_plan.hpp), beside
/// one folder per model: a model may not be named so.
const std::set<std::string> kResultsFolderNames = {"summary.json", "summary.csv", "report.html", "run-log.json",
                                                   ".stamps"};

/// A name of the results tree: `top` for a model's (a folder beside the sweep's own files).
void check_name(Table& table, const std::string& key, const std::string& name, bool top = false) {
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  }) && name.front() != '.';
  if (!ok) {
    table.fail(key, "'" + name + "': a name is letters, digits, '-', '_' and '.', not first (it names result "
                    "folders and files)");
  }
  if (name.find(".tmp-") != std::string::npos) {
    table.fail(key, "'" + name + "' holds '.tmp-', which marks the temporaries a resumed sweep removes");
  }
  if (top && kResultsFolderNames.count(name) != 0) {
    table.fail(key, "'" + name + "' is the name of a file the sweep writes in the results folder (summary.json, "
                    "summary.csv, report.html, run-log.json, .stamps)");
  }
}

}  // namespace

const ModelSpec& Job::model(const std::string& name) const {
  for (const ModelSpec& m : models) {
    if (m.name == name) return m;
  }
  throw InputError(file.string() + ": no model named '" + name + "'");
}

const CorpusSpec& Job::corpus(const std::string& name) const {
  for (const CorpusSpec& c : corpora) {
    if (c.name == name) return c;
  }
  throw InputError(file.string() + ": no corpus named '" + name + "'");
}

const LabelSetSpec& CorpusSpec::label_set(const std::string& set) const {
  for (const LabelSetSpec& s : labels) {
    if (s.name == set) return s;
  }
  throw InputError("corpus '" + name + "' has no label set '" + set + "'");
}

Job read_job_file(const fs::path& path) {
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    throw InputError(path.string() + ":" + std::to_string(error.source().begin.line) + ": not valid TOML: " +
                     std::string(error.description()));
  }
  Job job;
  job.file = path;
  Table top(path, root, "");
  job.study = top.text("study", "", true);
  check_name(top, "study", job.study);
  job.layers = top.text("layers", "all");

  std::map<std::string, std::string> paths;
  if (const toml::table* table = top.table("paths")) {
    Table section(path, *table, "paths");
    for (const auto& [key, value] : *table) paths[std::string(key.str())] = section.text(std::string(key.str()), "");
    section.check_known();
  }
  const auto file_path = [&](Table& table, const std::string& key, bool directory) {
    const fs::path resolved = resolve(path, expand(table.text(key, "", true), paths, table, key));
    std::error_code ec;
    const auto status = fs::status(resolved, ec);
    if (!fs::exists(status)) table.fail(key, resolved.string() + " does not exist");
    if (directory != fs::is_directory(status)) {
      table.fail(key, resolved.string() + (directory ? " is not a folder" : " is a folder, expected a file"));
    }
    return resolved;
  };

  if (const toml::node* ks = top.find("k")) {
    const toml::array* array = ks->as_array();
    if (array == nullptr || array->empty()) top.fail("k", "expected a list of numbers of concepts, e.g. [100]");
    for (const toml::node& k : *array) {
      if (!k.is_integer() || *k.value<std::int64_t>() < 1) top.fail("k", "expected positive integers");
      job.ks.push_back(*k.value<std::int64_t>());
    }
  } else {
    top.fail("k", "missing; expected a list of numbers of concepts, e.g. [100]");
  }
  std::sort(job.ks.begin(), job.ks.end());
  job.ks.erase(std::unique(job.ks.begin(), job.ks.end()), job.ks.end());

  if (const toml::table* table = top.table("extract")) {
    Table section(path, *table, "extract");
    job.aggregation = section.choice("aggregation", job.aggregation, {"last", "first", "average"});
    job.dtype = section.choice("dtype", job.dtype, {"float32", "float16"});
    job.compute_dtype = section.choice("compute_dtype", job.compute_dtype, {"float32", "bfloat16"});
    job.batch_tokens = section.integer("batch_tokens", job.batch_tokens, 1);
    section.check_known();
  }
  if (const toml::table* table = top.table("cluster")) {
    Table section(path, *table, "cluster");
    job.selection.max_per_type = section.integer("max_per_type", 0, 0);
    job.selection.min_freq = section.integer("min_freq", 0, 0);
    job.selection.drop_freq = section.integer("drop_freq", 0, 0);
    job.selection.max_words = section.integer("max_words", 0, 0);
    job.mode = section.choice("mode", job.mode, {"auto", "matrix", "vector"});
    job.memory_per_rank = section.text("memory_per_rank", "");
    job.checkpoint_every = section.number("checkpoint_every", job.checkpoint_every, 0, 1e9);
    section.check_known();
  }
  if (const toml::table* table = top.table("align")) {
    Table section(path, *table, "align");
    job.threshold = section.number("threshold", job.threshold, 0, 1);
    job.max_unk = section.number("max_unk", job.max_unk, 0, 1);
    job.level = section.choice("level", job.level, {"token", "type"});
    section.check_known();
  }

  std::set<std::string> names;
  for (const toml::table* table : top.tables("model")) {
    Table section(path, *table, "model." + std::to_string(job.models.size()));
    ModelSpec model;
    model.name = section.text("name", "", true);
    check_name(section, "name", model.name, /*top=*/true);
    if (!names.insert(model.name).second) section.fail("name", "'" + model.name + "' names two models");
    model.path = file_path(section, "path", true);
    model.base = section.text("base", "");
    section.check_known();
    job.models.push_back(std::move(model));
  }
  if (job.models.empty()) top.fail("model", "no [[model]]: a study needs at least one model");
  for (std::size_t m = 0; m < job.models.size(); ++m) {
    const ModelSpec& model = job.models[m];
    if (model.base.empty()) continue;
    const std::string key = "model." + std::to_string(m) + ".base";
    const auto base = std::find_if(job.models.begin(), job.models.end(),
                                   [&](const ModelSpec& other) { return other.name == model.base; });
    if (base == job.models.end()) {
      throw InputError(path.string() + ": " + key + ": the fine-tuned model '" + model.name + "' names its base '" +
                       model.base + "', which is not a [[model]] of the study");
    }
    if (!base->base.empty() || base->name == model.name) {
      throw InputError(path.string() + ": " + key + ": '" + model.base + "' is not a base (pre-trained) model");
    }
  }

  names.clear();
  for (const toml::table* table : top.tables("corpus")) {
    const std::string where = "corpus." + std::to_string(job.corpora.size());
    Table section(path, *table, where);
    CorpusSpec corpus;
    corpus.name = section.text("name", "", true);
    check_name(section, "name", corpus.name);
    if (!names.insert(corpus.name).second) section.fail("name", "'" + corpus.name + "' names two corpora");
    corpus.path = file_path(section, "path", false);
    std::set<std::string> sets;
    for (const toml::table* labels : section.tables("labels")) {
      Table label_section(path, *labels, where + ".labels." + std::to_string(corpus.labels.size()));
      LabelSetSpec set;
      set.name = label_section.text("name", "", true);
      check_name(label_section, "name", set.name);
      if (set.name == "predicted" || set.name == "base" || !sets.insert(set.name).second) {
        label_section.fail("name", "'" + set.name + "' is taken (two label sets of the corpus, or a reserved name)");
      }
      set.path = file_path(label_section, "path", false);
      set.kind = label_section.choice("kind", set.kind, {"human", "task"});
      set.format = label_section.choice("format", "", {"", "label", "classes", "conllu", "conll2000"});
      set.column = label_section.text("column", "");
      label_section.check_known();
      corpus.labels.push_back(std::move(set));
    }
    section.check_known();
    job.corpora.push_back(std::move(corpus));
  }
  if (job.corpora.empty()) top.fail("corpus", "no [[corpus]]: a study needs at least one corpus");
  top.check_known();
  return job;
}

}  // namespace conceptlens::sweep
