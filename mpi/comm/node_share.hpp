#pragma once
// What each rank may use of its node: the memory and cores of the node (host) it runs on,
// shared by the ranks of the communicator on that node. On a cluster the ranks of one job sit
// on several hosts with different numbers of ranks each; every budget is computed per host.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace conceptlens::mpi {

/// This rank's share of its node.
struct NodeShare {
  std::string host;                   ///< MPI_Get_processor_name
  int ranks_on_node = 1;              ///< ranks of the communicator on this node (shared memory)
  std::uint64_t available = 0;        ///< the node's MemAvailable, bytes
  std::uint64_t memory_per_rank = 0;  ///< available / ranks_on_node
  int threads_per_rank = 1;           ///< the cores this rank may run on, at most the node's cores / ranks_on_node
};

/// Collective (MPI_Comm_split_type). This rank's share of its node.
NodeShare node_share(MPI_Comm comm);

/// Collective. The smallest memory share of any rank: the budget that fits every host.
std::uint64_t smallest_memory_per_rank(MPI_Comm comm, const NodeShare& mine);

/// Collective (gathers to rank 0). Rank 0 warns when ranks that Open MPI places on different
/// nodes run on one machine (the same kernel boot id: containers, network namespaces, a
/// misconfigured hostfile) and are bound to the same cores, or are more than its cores: each
/// node's ranks poll for messages as if they had the cores to themselves, so every message
/// between them waits for a time slice (milliseconds per chain step instead of microseconds).
void warn_about_shared_cores(MPI_Comm comm);

/// Collective (gathers to rank 0). On rank 0, one line per host — its ranks, available memory,
/// the default memory budget per rank and the extraction threads per rank; "" on the others.
std::string describe_hosts(MPI_Comm comm, const NodeShare& mine);

}  // namespace conceptlens::mpi
