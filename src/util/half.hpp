#pragma once
// float32 -> IEEE half precision bits, rounding to nearest even (Eigen's conversion). HDF5
// 1.10's own float -> half conversion drops the carry when rounding reaches the next power of
// two (0.49996 is stored as 0.25), so the writers convert here and hand HDF5 the bits.
#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <vector>

namespace conceptlens {

inline std::vector<std::uint16_t> to_half_bits(std::span<const float> values) {
  std::vector<std::uint16_t> bits(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) bits[i] = Eigen::half(values[i]).x;
  return bits;
}

}  // namespace conceptlens
