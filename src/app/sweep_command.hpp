#pragma once
// `conceptlens sweep JOB.toml`: the whole study (extract, cluster, align, compare, summary,
// report) from a job file, resumable. The stages and their keys are in sweep/sweep_plan.hpp;
// mpi/app/sweep_run.cpp runs them.
#include <filesystem>

namespace CLI {
class App;
}

namespace conceptlens::app {

struct SweepOptions {
  std::filesystem::path job;  ///< JOB.toml
  std::filesystem::path out;  ///< results folder; default results/<study>
  bool dry_run = false;       ///< print the plan and which stages are complete, run nothing
};

void setup_sweep_command(CLI::App& command, SweepOptions& options);

}  // namespace conceptlens::app
