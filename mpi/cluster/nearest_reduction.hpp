#pragma once
// The global decision of a chain step, shared by the sharded distance sources: each rank offers
// the nearest neighbour of the chain's tip among the clusters it holds, and the distance to the
// chain predecessor if it holds that one; one MPI_Allreduce (a user operation on 24 bytes)
// gives every rank the same answer, with the tie rule of the serial chain (the predecessor
// wins ties, then the smaller index).
#include <mpi.h>

#include <cstdint>
#include <limits>

#include "cluster/nn_chain.hpp"

namespace conceptlens::mpi {

/// What one rank contributes to a chain step's reduction.
struct Candidate {
  double to_prefer = std::numeric_limits<double>::infinity();  ///< tip to predecessor (+inf: not held)
  double distance = std::numeric_limits<double>::infinity();   ///< nearest held neighbour's distance
  std::int64_t index = -1;                                     ///< and its index (-1: none)
};

class NearestReduction {
 public:
  NearestReduction();
  NearestReduction(const NearestReduction&) = delete;
  NearestReduction& operator=(const NearestReduction&) = delete;
  ~NearestReduction();

  /// Collective over `comm`. The chain's nearest neighbour of the tip; `prefer` as passed to
  /// nearest() (-1: the tip has no predecessor).
  cluster::Nearest reduce(MPI_Comm comm, const Candidate& mine, std::int64_t prefer) const;

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  MPI_Op op_ = MPI_OP_NULL;
};

}  // namespace conceptlens::mpi
