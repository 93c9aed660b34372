#include "cluster/chain_checkpoint.hpp"

#include <spdlog/spdlog.h>

#include "cluster/checkpoint.hpp"
#include "comm/communicator.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

namespace conceptlens::mpi {

std::uint64_t clustering_fingerprint(MPI_Comm comm, std::uint64_t local_row_hash_sum, std::int64_t n,
                                     std::int64_t d, std::size_t point_bytes, const std::string& source) {
  static_assert(sizeof(unsigned long long) == sizeof(std::uint64_t));
  unsigned long long sum = 0;
  const unsigned long long mine = local_row_hash_sum;
  MPI_Allreduce(&mine, &sum, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm);  // wraps modulo 2^64
  return cluster::fingerprint(sum, n, d, point_bytes, source);
}

cluster::ChainState resume_state(MPI_Comm comm, const std::filesystem::path& path, std::uint64_t fingerprint) {
  const bool root = rank(comm) == 0;
  std::string bytes;
  cluster::ChainState state;
  if (root) {
    try {
      if (auto read = cluster::read_checkpoint_bytes(path)) {
        auto checkpoint = cluster::decode_checkpoint(*read, path);
        if (checkpoint.fingerprint == fingerprint) {
          bytes = std::move(*read);
          state = std::move(checkpoint.state);
          spdlog::info("resuming from checkpoint {} ({} merges done)", path.string(), state.merges.size());
        } else {
          spdlog::warn("checkpoint {} belongs to other inputs (fingerprint {}, this run {}): starting afresh",
                       path.string(), to_hex(checkpoint.fingerprint), to_hex(fingerprint));
        }
      }
    } catch (const InputError& e) {
      spdlog::warn("{}: starting afresh", e.what());
    }
  }
  unsigned long long length = bytes.size();
  MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
  if (length == 0) return {};
  bytes.resize(length);
  MPI_Bcast(bytes.data(), static_cast<int>(length), MPI_CHAR, 0, comm);
  return root ? state : cluster::decode_checkpoint(bytes, path).state;
}

cluster::ChainHooks checkpoint_hooks(MPI_Comm comm, const std::filesystem::path& path, std::uint64_t fingerprint,
                                     double seconds) {
  cluster::ChainHooks hooks;
  hooks.start = resume_state(comm, path, fingerprint);
  if (rank(comm) == 0) {
    hooks.after_merge = cluster::CheckpointTimer(path, fingerprint, std::chrono::duration<double>(seconds));
  }
  return hooks;
}

}  // namespace conceptlens::mpi
