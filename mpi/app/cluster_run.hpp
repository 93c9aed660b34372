#pragma once
// `conceptlens cluster` under MPI (any number of ranks, 1 included).
#include <mpi.h>

#include "app/cluster_command.hpp"
#include "comm/agree.hpp"

namespace conceptlens::mpi {

/// Collective. Every rank reads and checks the inputs (so every rank reaches the same verdict)
/// and the plan; then cluster_planned(). Returns the same outcome on every rank.
Outcome run_cluster(MPI_Comm comm, const app::ClusterOptions& options);

/// Collective. One planned clustering of `inputs` over the ranks of `comm`: outputs already
/// complete for the same points and K are kept; otherwise rank 0 claims the outputs, the ranks
/// cluster (matrix or centroids sharded over them; resuming from and saving checkpoints with
/// --checkpoint-every), and rank 0 writes the outputs and removes the checkpoint.
Outcome cluster_planned(MPI_Comm comm, const app::ClusterOptions& options, const app::ClusterPlan& plan,
                        app::ClusterInputs& inputs);

}  // namespace conceptlens::mpi
