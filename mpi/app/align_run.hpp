#pragma once
// `conceptlens align` and `conceptlens compare` under MPI (any number of ranks, 1 included).
#include <mpi.h>

#include "app/align_command.hpp"
#include "comm/agree.hpp"

namespace conceptlens::mpi {

/// Collective. Every rank reads and checks the inputs and counts (cluster, label) and
/// (cluster, word type) occurrences for its own contiguous range of points; the counts are
/// summed on rank 0, which aligns and writes the JSON and CSV. The same outputs at any rank
/// count; the same outcome on every rank; nothing written on error.
Outcome run_align(MPI_Comm comm, const app::AlignCommandOptions& options);

/// Collective. As run_align, with (fine-tuned cluster, base cluster) co-occurrence counts.
Outcome run_compare(MPI_Comm comm, const app::CompareCommandOptions& options);

}  // namespace conceptlens::mpi
