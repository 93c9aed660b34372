#pragma once
// `conceptlens report RESULTS_DIR`: the HTML report (per-layer curves, tables, concept browser)
// and summary.csv of a results tree written by `conceptlens sweep`. Serial: under mpirun,
// mpi/app/main.cpp runs it on rank 0 only (mpi::run_on_root).
#include <filesystem>

namespace CLI {
class App;
}

namespace conceptlens::app {

struct ReportOptions {
  std::filesystem::path results_dir;  ///< holds summary.json
};

void setup_report_command(CLI::App& command, ReportOptions& options);

/// Writes RESULTS_DIR/report.html and RESULTS_DIR/summary.csv (report::write_report) and logs
/// where. InputError / OutputError naming the file on failure.
void run_report(const ReportOptions& options);

}  // namespace conceptlens::app
