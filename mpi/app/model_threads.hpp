#pragma once
// The threads a rank gives a model (extraction, adversarial triggers).
#include <mpi.h>

namespace conceptlens::mpi {

/// Collective (node_share). Gives the matrix products (OpenBLAS) `requested` threads, or when it
/// is 0 this rank's share of its node (NodeShare::threads_per_rank: the cores it may run on, a
/// rank bound to one core gets one, at most the node's cores divided by its ranks). LibTorch's
/// own OpenMP pool stays at one thread: its workers spin after every element-wise operation and
/// took the cores from the BLAS threads (BERT-base, 400 sentences, 2 threads: 21.0 s with both
/// pools at 2, 12.3 s so). Returns the BLAS threads.
int use_model_threads(MPI_Comm comm, int requested);

}  // namespace conceptlens::mpi
