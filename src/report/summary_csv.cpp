#include "report/summary_csv.hpp"

#include "report/text.hpp"

namespace conceptlens::report {

std::string summary_csv(const Study& study) {
  std::string csv = csv_row({"model", "corpus", "layer", "k", "set", "kind", "aligned", "fraction", "coverage"});
  for (const Result& result : study.results) {
    const std::string layer = std::to_string(result.layer);
    const std::string k = std::to_string(result.k);
    for (const SetResult& set : result.sets) {
      csv += csv_row({result.model, result.corpus, layer, k, set.name, set.kind, std::to_string(set.aligned),
                  shortest(set.fraction), set.coverage ? shortest(*set.coverage) : std::string()});
    }
    if (result.base) {
      csv += csv_row({result.model, result.corpus, layer, k, "base", "base", std::to_string(result.base->aligned),
                  shortest(result.base->fraction), ""});
    }
  }
  return csv;
}

}  // namespace conceptlens::report
