#include "app/sweep_command.hpp"

#include <CLI/CLI.hpp>

namespace conceptlens::app {

void setup_sweep_command(CLI::App& command, SweepOptions& options) {
  command.description(
      "The whole study of a job file: extraction of every model x corpus, clustering of every layer\n"
      "(layers in groups of ranks), alignment with every label set, fine-tuned vs base, summary.json and\n"
      "report.html. Rerunning the same command keeps what is complete and redoes what is missing or stale");
  command.add_option("job", options.job, "the study (TOML job file, see jobs/demo.toml)")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--out", options.out, "results folder (default: results/<study>)");
  command.add_flag("--dry-run", options.dry_run, "print the stages, rank groups, memory and outputs; run nothing");
}

}  // namespace conceptlens::app
