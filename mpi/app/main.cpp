// conceptlens: the single executable. main() only wires: MPI session, command line (parsed on
// every rank, printed by rank 0), logging, and one subcommand; every rank exits with the same
// code and an error is printed once.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "app/align_run.hpp"
#include "app/cluster_run.hpp"
#include "app/extract_run.hpp"
#include "app/report_command.hpp"
#include "app/sweep_run.hpp"
#include "comm/agree.hpp"
#include "comm/communicator.hpp"
#include "comm/node_share.hpp"
#include "util/log.hpp"

namespace {

int exit_code(conceptlens::ExitCode code) { return static_cast<int>(code); }

}  // namespace

int main(int argc, char** argv) {
  using namespace conceptlens;
  mpi::Session session(argc, argv);
  const int rank = mpi::rank(MPI_COMM_WORLD);

  CLI::App app{"ConceptLens: latent concept analysis of transformer models (serial or under mpirun)",
               "conceptlens"};
  app.set_version_flag("--version", CONCEPTLENS_VERSION);
  app.require_subcommand(1);
  app::ExtractOptions extract_options;
  app::setup_extract_command(*app.add_subcommand("extract"), extract_options);
  app::ClusterOptions cluster_options;
  app::setup_cluster_command(*app.add_subcommand("cluster"), cluster_options);
  app::AlignCommandOptions align_options;
  app::setup_align_command(*app.add_subcommand("align"), align_options);
  app::CompareCommandOptions compare_options;
  app::setup_compare_command(*app.add_subcommand("compare"), compare_options);
  app::ReportOptions report_options;
  app::setup_report_command(*app.add_subcommand("report"), report_options);
  app::SweepOptions sweep_options;
  app::setup_sweep_command(*app.add_subcommand("sweep"), sweep_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments, so every rank reaches the same verdict; rank 0
    // prints it (help, version or the usage error).
    if (rank == 0) app.exit(e);
    return e.get_exit_code() == 0 ? 0 : exit_code(ExitCode::usage);
  }
  log::configure(rank);
  mpi::warn_about_shared_cores(MPI_COMM_WORLD);

  mpi::Outcome outcome;
  if (app.got_subcommand("extract")) outcome = mpi::run_extract(MPI_COMM_WORLD, extract_options);
  if (app.got_subcommand("cluster")) outcome = mpi::run_cluster(MPI_COMM_WORLD, cluster_options);
  if (app.got_subcommand("align")) outcome = mpi::run_align(MPI_COMM_WORLD, align_options);
  if (app.got_subcommand("compare")) outcome = mpi::run_compare(MPI_COMM_WORLD, compare_options);
  if (app.got_subcommand("report")) {
    outcome = mpi::run_on_root(MPI_COMM_WORLD, 0, [&] { app::run_report(report_options); });
  }
  if (app.got_subcommand("sweep")) outcome = mpi::run_sweep(MPI_COMM_WORLD, sweep_options);
  if (!outcome.ok()) {
    if (rank == 0) std::fprintf(stderr, "conceptlens: error: %s\n", outcome.message.c_str());
    return exit_code(outcome.code);
  }
  return 0;
}
