#pragma once
// `conceptlens cluster` under MPI (any number of ranks, 1 included).
#include <mpi.h>

#include "app/cluster_command.hpp"
#include "comm/agree.hpp"

namespace conceptlens::mpi {

/// Collective. Every rank reads and checks the inputs (so every rank reaches the same verdict);
/// rank 0 claims the outputs; the matrix mode clusters on a matrix sharded over all ranks, the
/// vector mode on rank 0; rank 0 writes. Returns the same outcome on every rank.
Outcome run_cluster(MPI_Comm comm, const app::ClusterOptions& options);

}  // namespace conceptlens::mpi
