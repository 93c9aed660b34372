#pragma once
// `conceptlens sweep` under MPI (any number of ranks, 1 included).
#include <mpi.h>

#include "app/sweep_command.hpp"
#include "comm/agree.hpp"

namespace conceptlens::mpi {

/// Collective. Reads and checks the job and plans the study before any work; rank 0 computes
/// every stage's key (checksums of settings and inputs). Stages run in order — extraction on
/// all ranks, the layers of each (model, corpus) clustered in groups of ranks, alignments,
/// comparisons — each skipped when complete with the same key, and stamped when done. Then
/// rank 0 writes summary.json, summary.csv, report.html and run-log.json (times, peak memory).
Outcome run_sweep(MPI_Comm comm, const app::SweepOptions& options);

}  // namespace conceptlens::mpi
