#pragma once
// Reaching the same verdict on every rank: an error on any rank becomes the same error, with
// the same message and exit code, on all of them, so a run fails once, cleanly, everywhere.
#include <mpi.h>

#include <functional>
#include <string>

#include "util/error.hpp"

namespace conceptlens::mpi {

/// How a piece of work ended on a rank.
struct Outcome {
  ExitCode code = ExitCode::ok;
  std::string message;  ///< empty when ok
  bool ok() const { return code == ExitCode::ok; }
};

/// Local. Runs `work`, turning a conceptlens::Error into its code and message and any other
/// exception into ExitCode::internal.
Outcome capture(const std::function<void()>& work);

/// Collective (MPI_Allreduce, MPI_Bcast). Every rank passes its own outcome; every rank gets
/// the outcome of the lowest failing rank (or ok when none failed).
Outcome agree(MPI_Comm comm, const Outcome& local);

/// Collective. Runs `work` on rank `root` only and gives every rank its outcome.
Outcome run_on_root(MPI_Comm comm, int root, const std::function<void()>& work);

}  // namespace conceptlens::mpi
