#pragma once
// Small MPI helpers: the session (MPI_Init/MPI_Finalize), rank/size, a duplicated
// communicator owned with RAII. The communicator is always an explicit argument.
#include <mpi.h>

namespace conceptlens::mpi {

/// Initialises MPI for the process lifetime (MPI_Init_thread, FUNNELED); finalises in the
/// destructor. Exactly one per process, created first thing in main().
class Session {
 public:
  Session(int& argc, char**& argv);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();
};

/// Local. The rank of this process in `comm`.
int rank(MPI_Comm comm);
/// Local. The number of ranks in `comm`.
int size(MPI_Comm comm);

/// Collective. The number of ranks of `comm` on this rank's node (shared memory).
int ranks_on_node(MPI_Comm comm);

/// A duplicate of a user communicator (MPI_Comm_dup, collective), freed on destruction, so a
/// library's messages never mix with the caller's.
class Communicator {
 public:
  explicit Communicator(MPI_Comm parent);
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  ~Communicator();
  MPI_Comm get() const { return comm_; }
  int rank() const { return mpi::rank(comm_); }
  int size() const { return mpi::size(comm_); }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

}  // namespace conceptlens::mpi
