#pragma once
// `conceptlens report RESULTS_DIR` (and the last step of `conceptlens sweep`): reads
// RESULTS_DIR/summary.json and the align / compare files it names, writes RESULTS_DIR/report.html
// and RESULTS_DIR/summary.csv. Both are written under temporary names and renamed into place
// once both are complete; the same inputs give byte-identical files.
#include <filesystem>

namespace conceptlens::report {

struct ReportFiles {
  std::filesystem::path html;  ///< RESULTS_DIR/report.html
  std::filesystem::path csv;   ///< RESULTS_DIR/summary.csv
};

/// InputError naming the file when RESULTS_DIR, summary.json or a file it names is missing or
/// invalid; OutputError when an output cannot be written (nothing is left behind then).
ReportFiles write_report(const std::filesystem::path& results_dir);

}  // namespace conceptlens::report
