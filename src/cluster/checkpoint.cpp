#include "cluster/checkpoint.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/is_bitwise_serializable.hpp>
#include <boost/serialization/vector.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <sstream>

#include "store/atomic_output.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"
#include "util/read_file.hpp"

// The rounds' lists (O(n) entries) are written as one block.
BOOST_IS_BITWISE_SERIALIZABLE(conceptlens::cluster::Nearest)

namespace boost::serialization {

template <class Archive>
void serialize(Archive& archive, conceptlens::cluster::RawMerge& merge, const unsigned int /*version*/) {
  archive & merge.i & merge.j & merge.squared;
}

template <class Archive>
void serialize(Archive& archive, conceptlens::cluster::Nearest& entry, const unsigned int /*version*/) {
  archive & entry.index & entry.distance;
}

template <class Archive>
void serialize(Archive& archive, conceptlens::cluster::ChainState& state, const unsigned int /*version*/) {
  archive & state.merges & state.chain & state.neighbours & state.steps;
}

}  // namespace boost::serialization

namespace conceptlens::cluster {

namespace {

/// Identifies the format: a file with another tag is not a checkpoint of this version.
const std::string kTag = "conceptlens-chain-checkpoint-v2";

}  // namespace

std::string encode_checkpoint(const ChainCheckpoint& checkpoint) {
  std::ostringstream stream(std::ios::binary);
  {
    boost::archive::binary_oarchive archive(stream);
    archive << kTag << checkpoint.fingerprint << checkpoint.state;
  }
  return stream.str();
}

ChainCheckpoint decode_checkpoint(const std::string& bytes, const std::filesystem::path& file) {
  const std::string refused = file.string() + ": not a conceptlens checkpoint of this version";
  ChainCheckpoint checkpoint;
  std::string tag;
  try {
    std::istringstream stream(bytes, std::ios::binary);
    boost::archive::binary_iarchive archive(stream);
    archive >> tag;
    if (tag == kTag) archive >> checkpoint.fingerprint >> checkpoint.state;
  } catch (const std::exception& e) {  // Boost's archive_exception, or a length read from garbage
    throw InputError(refused + " (" + e.what() + ")");
  }
  if (tag != kTag) throw InputError(refused + " (expected tag '" + kTag + "', found '" + tag.substr(0, 64) + "')");
  return checkpoint;
}

void write_checkpoint(const std::filesystem::path& path, const ChainCheckpoint& checkpoint) {
  store::write_file_atomically(path, encode_checkpoint(checkpoint));
}

std::optional<std::string> read_checkpoint_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  return read_whole_file(path);
}

template <class Scalar>
std::uint64_t hash_rows(const PointsView<Scalar>& rows, std::int64_t first_row) {
  std::uint64_t sum = 0;
  const auto row_bytes = static_cast<std::size_t>(rows.cols()) * sizeof(Scalar);
  for (std::int64_t r = 0; r < rows.rows(); ++r) {
    sum += mix(fnv1a(rows.row(r).data(), row_bytes) ^ mix(static_cast<std::uint64_t>(first_row + r)));
  }
  return sum;
}

template std::uint64_t hash_rows(const PointsView<float>&, std::int64_t);
template std::uint64_t hash_rows(const PointsView<double>&, std::int64_t);

std::uint64_t fingerprint(std::uint64_t row_hash_sum, std::int64_t n, std::int64_t d, std::size_t point_bytes,
                          const std::string& source) {
  std::uint64_t h = mix(row_hash_sum);
  h = mix(h ^ static_cast<std::uint64_t>(n));
  h = mix(h ^ static_cast<std::uint64_t>(d));
  h = mix(h ^ point_bytes);
  return fnv1a(source.data(), source.size(), h);
}

CheckpointTimer::CheckpointTimer(std::filesystem::path path, std::uint64_t fingerprint,
                                 std::chrono::duration<double> interval)
    : path_(std::move(path)), fingerprint_(fingerprint), interval_(interval), last_(std::chrono::steady_clock::now()) {}

void CheckpointTimer::operator()(const ChainState& state) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < interval_) return;
  write_checkpoint(path_, ChainCheckpoint{fingerprint_, state});
  last_ = std::chrono::steady_clock::now();
  spdlog::debug("checkpoint {}: {} merges", path_.string(), state.merges.size());
}

}  // namespace conceptlens::cluster
