#pragma once
// The ranks that cluster together in the lean mode (rounds.cpp), as the few collective
// operations the rounds need. SoloTeam is the serial case (one rank: every operation is
// local); mpi/cluster/mpi_round_team.hpp implements them with MPI. Every operation is
// collective over the team: all ranks call it, in the same order, with matching arguments.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cluster/nn_chain.hpp"

namespace conceptlens::cluster {

/// Messages of a team, for the log and the benchmark.
struct TeamStats {
  std::int64_t collectives = 0;  ///< collective calls (and exchanges of the first pass)
  double bytes_received = 0;     ///< bytes this rank received from the others
};

class RoundTeam {
 public:
  virtual ~RoundTeam() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  /// Elementwise sum of `values` over the ranks; the sums on every rank.
  virtual void sum(double* values, std::int64_t count) = 0;
  /// Gathers in place: `all` holds counts[0] values of rank 0, then counts[1] of rank 1, ...;
  /// each rank has written its own part, and on return every part is filled on every rank.
  virtual void allgather(double* all, const std::vector<std::int64_t>& counts) = 0;
  /// Merges, per state, the ranks' sorted lists of NeighbourTable::kStride entries: on return
  /// every rank holds the first kStride entries, in the tie rule's order, of the union.
  virtual void merge_lists(Nearest* lists, std::int64_t states) = 0;
  /// Sends `send_bytes` to rank `to` and receives `receive_bytes` from rank `from` (one step of
  /// the first pass's exchange of shards; every rank calls it at the same step).
  virtual void exchange(const void* send, std::size_t send_bytes, int to, void* receive, std::size_t receive_bytes,
                        int from) = 0;

  TeamStats stats;
};

/// One rank: nothing to communicate.
class SoloTeam final : public RoundTeam {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(double* /*values*/, std::int64_t /*count*/) override {}
  void allgather(double* /*all*/, const std::vector<std::int64_t>& /*counts*/) override {}
  void merge_lists(Nearest* /*lists*/, std::int64_t /*states*/) override {}
  void exchange(const void* /*send*/, std::size_t /*send_bytes*/, int /*to*/, void* /*receive*/,
                std::size_t /*receive_bytes*/, int /*from*/) override {}
};

}  // namespace conceptlens::cluster
