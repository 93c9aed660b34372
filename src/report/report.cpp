#include "report/report.hpp"

#include <fstream>
#include <string>
#include <vector>

#include "report/report_page.hpp"
#include "report/summary.hpp"
#include "report/summary_csv.hpp"
#include "store/atomic_output.hpp"
#include "util/error.hpp"

namespace conceptlens::report {
namespace {

void write_text(const store::AtomicOutput& output, const std::string& text) {
  std::ofstream out(output.temp_path(), std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw OutputError("cannot write '" + output.final_path().string() + "': writing its temporary file failed");
}

}  // namespace

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
  write_text(html, report_html(study, concepts));
  write_text(csv, summary_csv(study));
  html.commit();
  csv.commit();
  return files;
}

}  // namespace conceptlens::report
