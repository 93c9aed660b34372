#pragma once
// `conceptlens extract` under MPI (any number of ranks, 1 included).
#include <mpi.h>

#include "app/extract_command.hpp"
#include "comm/agree.hpp"

namespace conceptlens::mpi {

/// Collective. Every rank reads the corpus, the tokenizer and the model and plans the same
/// batches; rank 0 creates the output's skeleton under a temporary name; the batches are dealt
/// to the ranks (balanced by padded tokens) and run in rounds, each round's rows written by all
/// ranks at once into the one file (parallel HDF5); rank 0 adds the predictions and renames the
/// file into place. Progress (words/s, ETA) on rank 0. The file holds the same values for any
/// number of ranks. Returns the same outcome on every rank; on error no output is left.
Outcome run_extract(MPI_Comm comm, const app::ExtractOptions& options);

}  // namespace conceptlens::mpi
