#pragma once
// Checkpoint and resume of a distributed clustering (the files: src/cluster/checkpoint.hpp).
// Every rank runs the same chain, so rank 0 alone saves it; on resume rank 0 reads the file
// and broadcasts its bytes (the Boost archive is also the message), so ranks need not share a
// file system view of it, and the run may resume on another number of ranks.
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "cluster/nn_chain.hpp"

namespace conceptlens::mpi {

/// Collective. The fingerprint of a clustering whose rows are spread over the ranks: each
/// rank passes cluster::hash_rows of the rows it holds (together, every row once).
std::uint64_t clustering_fingerprint(MPI_Comm comm, std::uint64_t local_row_hash_sum, std::int64_t n,
                                     std::int64_t d, std::size_t point_bytes, const std::string& source);

/// Collective. The chain state saved at `path` for a clustering with `fingerprint`; an empty
/// state (start from the beginning) when there is none, or it is unreadable or belongs to other
/// inputs (rank 0 logs which, and the file is replaced by the next save).
cluster::ChainState resume_state(MPI_Comm comm, const std::filesystem::path& path, std::uint64_t fingerprint);

/// The hooks of a checkpointed run: resume from `path`, and on rank 0 save there every
/// `seconds` seconds. Collective.
cluster::ChainHooks checkpoint_hooks(MPI_Comm comm, const std::filesystem::path& path, std::uint64_t fingerprint,
                                     double seconds);

}  // namespace conceptlens::mpi
