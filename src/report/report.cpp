#include "report/report.hpp"

#include <string>
#include <vector>

#include "report/report_page.hpp"
#include "report/summary.hpp"
#include "report/summary_csv.hpp"
#include "store/atomic_output.hpp"
#include "util/error.hpp"

namespace conceptlens::report {
ReportFiles write_report(const std::filesystem::path& results_dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(results_dir, error)) {
    throw InputError(results_dir.string() + ": " +
                     (std::filesystem::exists(results_dir, error) ? "not a directory" : "results directory not found"));
  }
  const Study study = read_summary(results_dir);
  std::vector<ConceptTable> concepts;
  concepts.reserve(study.results.size());
  for (const Result& result : study.results) concepts.push_back(read_concepts(results_dir, result));

  const ReportFiles files{results_dir / "report.html", results_dir / "summary.csv"};
  store::AtomicOutput html(files.html);
  store::AtomicOutput csv(files.csv);
  html.write(report_html(study, concepts));
  csv.write(summary_csv(study));
  html.commit();
  csv.commit();
  return files;
}

}  // namespace conceptlens::report
