#include "app/align_run.hpp"

#include <spdlog/spdlog.h>

#include "align/reduce_counts.hpp"
#include "align/result_files.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

Outcome run_align(MPI_Comm parent, const app::AlignCommandOptions& options) {
  const Communicator communicator(parent);
  const MPI_Comm comm = communicator.get();
  app::AlignInputs inputs;
  align::ClusterCounts mine;
  Outcome outcome = agree(comm, capture([&] {
    inputs = app::load_align_inputs(options);
    const auto [first, last] = owned_points(comm, static_cast<std::int64_t>(inputs.clustering.cluster.size()));
    mine = align::count_points(inputs.clustering, inputs.index, first, last);
  }));
  if (!outcome.ok()) return outcome;
  const align::ClusterCounts all = sum_on_root(comm, mine, 0);
  return run_on_root(comm, 0, [&] {
    const align::Alignment result = align::align(all, inputs.index, inputs.options);
    align::write_alignment(result, options.out);
    spdlog::info("align: {} of {} concepts aligned with {} ({:.1f}%), {} of {} labels covered; wrote {}", result.aligned,
                 result.k, result.options.name, 100.0 * result.aligned_fraction, result.covered_labels,
                 result.labels, options.out.string());
  });
}

Outcome run_compare(MPI_Comm parent, const app::CompareCommandOptions& options) {
  const Communicator communicator(parent);
  const MPI_Comm comm = communicator.get();
  align::PairCounts mine;
  Outcome outcome = agree(comm, capture([&] {
    const auto [clustering, reference] = app::load_compare_inputs(options);
    const auto [first, last] = owned_points(comm, static_cast<std::int64_t>(clustering.cluster.size()));
    mine = align::count_pairs(clustering, reference, first, last);
  }));
  if (!outcome.ok()) return outcome;
  const align::PairCounts all = sum_on_root(comm, mine, 0);
  return run_on_root(comm, 0, [&] {
    const align::Comparison result = align::compare(all, options.threshold);
    align::write_comparison(result, options.out);
    spdlog::info("compare: {} of {} concepts aligned with the reference ({:.1f}%), {} of the reference's ({:.1f}%); "
                 "wrote {}",
                 result.aligned, result.k, 100.0 * result.aligned_fraction, result.reference_aligned,
                 100.0 * result.reference_aligned_fraction, options.out.string());
  });
}

}  // namespace conceptlens::mpi
