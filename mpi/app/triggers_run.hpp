#pragma once
// `conceptlens triggers` under MPI (any number of ranks, 1 included).
#include <mpi.h>

#include "app/triggers_command.hpp"
#include "comm/agree.hpp"

namespace conceptlens::mpi {

/// Collective. Every rank reads the inputs and finds the same polarity concepts, triggers and
/// random triggers; the model classifies the corpus, then for each concept every sentence it does
/// not assign the concept's class with the trigger and with each random trigger added — the
/// sentences cut into blocks that are dealt to the ranks, each block batched by length alone, so
/// every sentence is classified in the same batch at any rank count; the predictions are combined
/// on every rank and rank 0 counts and writes T.json and T.csv. The same outputs for any number
/// of ranks; the same outcome on every rank; on error no output is left.
Outcome run_triggers(MPI_Comm comm, const app::TriggersOptions& options);

}  // namespace conceptlens::mpi
