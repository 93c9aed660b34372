#include "app/cluster_run.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <variant>

#include "cluster/panel_product.hpp"
#include "cluster/sharded_matrix.hpp"
#include "comm/communicator.hpp"
#include "util/memory.hpp"

namespace conceptlens::mpi {

namespace {

/// Collective. MemAvailable of this node shared by the ranks on it; the minimum over nodes.
std::uint64_t available_per_rank(MPI_Comm comm) {
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank(comm), MPI_INFO_NULL, &node);
  const auto share = static_cast<unsigned long long>(available_memory() / static_cast<std::uint64_t>(size(node)));
  MPI_Comm_free(&node);
  unsigned long long minimum = share;
  MPI_Allreduce(&share, &minimum, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, comm);
  return minimum;
}

/// Collective for the matrix mode, rank 0 alone for the vector mode.
cluster::Linkage compute_linkage(MPI_Comm comm, const store::NpyMatrix& points, cluster::DistanceSource source) {
  return std::visit(
      [&](const auto& values) {
        using Scalar = typename std::decay_t<decltype(values)>::value_type;
        const cluster::PointsView<Scalar> view(values.data(), points.rows, points.cols);
        return source == cluster::DistanceSource::matrix ? sharded_ward_linkage(comm, view)
                                                         : cluster::ward_linkage(view, source);
      },
      points.values);
}

}  // namespace

Outcome run_cluster(MPI_Comm comm, const app::ClusterOptions& options) {
  const bool root = rank(comm) == 0;
  app::ClusterInputs inputs;
  Outcome outcome = agree(comm, capture([&] { inputs = app::load_cluster_inputs(options); }));
  if (!outcome.ok()) return outcome;

  std::optional<app::ClusterOutputs> outputs;
  app::ClusterPlan plan;
  const std::uint64_t available = available_per_rank(comm);
  const std::size_t point_bytes = std::holds_alternative<std::vector<float>>(inputs.points.values) ? 4 : 8;
  outcome = agree(comm, capture([&] {
    plan = app::plan_cluster(options, inputs.points.rows, inputs.points.cols, point_bytes, size(comm), available);
    if (root && !options.dry_run) outputs.emplace(app::claim_cluster_outputs(options, inputs));
  }));
  if (!outcome.ok()) return outcome;
  if (options.dry_run) {
    if (root) std::printf("plan: %s\n", app::describe(plan, inputs.points.rows, inputs.points.cols).c_str());
    return outcome;
  }
  const cluster::DistanceSource source = plan.source;
  spdlog::info("clustering: {}", app::describe(plan, inputs.points.rows, inputs.points.cols));
  if (source == cluster::DistanceSource::matrix) spdlog::info("distance products: {}", cluster::product_backend());
  const auto start = std::chrono::steady_clock::now();
  cluster::Linkage linkage;
  if (source == cluster::DistanceSource::matrix) {
    outcome = agree(comm, capture([&] { linkage = compute_linkage(comm, inputs.points, source); }));
  } else {
    outcome = run_on_root(comm, 0, [&] { linkage = compute_linkage(comm, inputs.points, source); });
  }
  if (!outcome.ok()) return outcome;
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  spdlog::info("Ward linkage done in {:.2f} s", seconds.count());

  return run_on_root(comm, 0, [&] { write_cluster_outputs(*outputs, inputs, std::move(linkage), source); });
}

}  // namespace conceptlens::mpi
