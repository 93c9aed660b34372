#include "report/summary_csv.hpp"

#include <initializer_list>

#include "report/text.hpp"

namespace conceptlens::report {
namespace {

/// A CSV field, quoted when it holds a comma, a quote or a line break.
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string row(std::initializer_list<std::string> fields) {
  std::string text;
  for (const std::string& each : fields) {
    if (!text.empty()) text += ',';
    text += field(each);
  }
  return text + "\n";
}

}  // namespace

std::string summary_csv(const Study& study) {
  std::string csv = row({"model", "corpus", "layer", "k", "set", "kind", "aligned", "fraction", "coverage"});
  for (const Result& result : study.results) {
    const std::string layer = std::to_string(result.layer);
    const std::string k = std::to_string(result.k);
    for (const SetResult& set : result.sets) {
      csv += row({result.model, result.corpus, layer, k, set.name, set.kind, std::to_string(set.aligned),
                  shortest(set.fraction), set.coverage ? shortest(*set.coverage) : std::string()});
    }
    if (result.base) {
      csv += row({result.model, result.corpus, layer, k, "base", "base", std::to_string(result.base->aligned),
                  shortest(result.base->fraction), ""});
    }
  }
  return csv;
}

}  // namespace conceptlens::report
