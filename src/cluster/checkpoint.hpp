#pragma once
// Checkpoints of a running clustering. Its state is small (the merges so far and the chain, or
// the rounds' neighbour lists: O(n)); the centroids or distances follow from the points by
// replaying the merges (nn_chain.hpp, rounds.hpp), so a checkpoint never holds the O(n^2)
// matrix nor the O(n*d) centroids. Saved with
// Boost.Serialization (binary archive), atomically (temporary name + rename), and tied to the
// points and distance source by a fingerprint: a checkpoint of other inputs is never resumed.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "cluster/nn_chain.hpp"
#include "cluster/points.hpp"

namespace conceptlens::cluster {

struct ChainCheckpoint {
  std::uint64_t fingerprint = 0;  ///< of the points and the distance source (see fingerprint())
  ChainState state;
};

/// The checkpoint as bytes (also the message that shares it between ranks).
std::string encode_checkpoint(const ChainCheckpoint& checkpoint);
/// The checkpoint in `bytes` (read from `file`); InputError naming the file when they are not
/// a checkpoint of this format.
ChainCheckpoint decode_checkpoint(const std::string& bytes, const std::filesystem::path& file);

/// Writes the checkpoint to `path` atomically. OutputError naming the file.
void write_checkpoint(const std::filesystem::path& path, const ChainCheckpoint& checkpoint);
/// The bytes of `path`, nullopt when it does not exist. InputError when it cannot be read.
std::optional<std::string> read_checkpoint_bytes(const std::filesystem::path& path);

/// Hash of `rows`, which are rows first_row, first_row + 1, ... of a point set: a sum of row
/// hashes, so that any split of the rows over ranks adds up to the same value.
template <class Scalar>
std::uint64_t hash_rows(const PointsView<Scalar>& rows, std::int64_t first_row);

/// The fingerprint of a clustering: the summed row hashes, the shape, the element width and
/// the distance source (whose last bits of the heights may differ).
std::uint64_t fingerprint(std::uint64_t row_hash_sum, std::int64_t n, std::int64_t d, std::size_t point_bytes,
                          const std::string& source);

/// The after-merge hook that saves the chain to `path` whenever `interval` has passed since
/// the last save (or the start).
class CheckpointTimer {
 public:
  CheckpointTimer(std::filesystem::path path, std::uint64_t fingerprint, std::chrono::duration<double> interval);
  void operator()(const ChainState& state);

 private:
  std::filesystem::path path_;
  std::uint64_t fingerprint_;
  std::chrono::duration<double> interval_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace conceptlens::cluster
