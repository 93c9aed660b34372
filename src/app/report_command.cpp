#include "app/report_command.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "report/report.hpp"

namespace conceptlens::app {

void setup_report_command(CLI::App& command, ReportOptions& options) {
  command.description(
      "The study's report from a results directory of conceptlens sweep: report.html (per-layer curves of\n"
      "the concepts aligned, tables, a concept browser; self-contained, no network) and summary.csv");
  command.add_option("RESULTS_DIR", options.results_dir, "the results directory (holds summary.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
}

void run_report(const ReportOptions& options) {
  const report::ReportFiles files = report::write_report(options.results_dir);
  spdlog::info("report: wrote {} and {}", files.html.string(), files.csv.string());
}

}  // namespace conceptlens::app
