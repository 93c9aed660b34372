#pragma once
// The lean mode's collective operations (src/cluster/round_team.hpp) over an MPI communicator,
// which the team duplicates, so the rounds' messages stay apart from the caller's:
//   sum():         MPI_Allreduce (MPI_SUM) in place;
//   allgather():   MPI_Allgatherv in place (MPI_DOUBLE);
//   merge_lists(): MPI_Allreduce in place with a user operation that merges two sorted lists of
//                  NeighbourTable::kStride entries (a contiguous type of 208 bytes per state),
//                  commutative: each (state, neighbour) pair lies on one rank only;
//   exchange():    MPI_Isend/MPI_Irecv in pieces of at most 1 GiB, then MPI_Waitall.
#include <mpi.h>

#include "cluster/round_team.hpp"
#include "comm/communicator.hpp"

namespace conceptlens::mpi {

class MpiRoundTeam final : public cluster::RoundTeam {
 public:
  /// Collective over `comm` (duplicates it).
  explicit MpiRoundTeam(MPI_Comm comm);
  MpiRoundTeam(const MpiRoundTeam&) = delete;
  MpiRoundTeam& operator=(const MpiRoundTeam&) = delete;
  ~MpiRoundTeam() override;

  int rank() const override { return comm_.rank(); }
  int size() const override { return comm_.size(); }
  void sum(double* values, std::int64_t count) override;
  void allgather(double* all, const std::vector<std::int64_t>& counts) override;
  void merge_lists(cluster::Nearest* lists, std::int64_t states) override;
  void exchange(const void* send, std::size_t send_bytes, int to, void* receive, std::size_t receive_bytes,
                int from) override;

 private:
  Communicator comm_;
  MPI_Datatype list_type_ = MPI_DATATYPE_NULL;
  MPI_Op merge_ = MPI_OP_NULL;
};

}  // namespace conceptlens::mpi
