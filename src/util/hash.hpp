#pragma once
// Non-cryptographic 64-bit hashing for fingerprints and checksums of inputs: FNV-1a over bytes,
// SplitMix64's finaliser to mix values, 16 hex digits as stored in output files.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace conceptlens {

/// SplitMix64's finaliser: a well-mixed 64-bit value from any 64-bit input.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}

inline constexpr std::uint64_t kFnv1aOffset = 0xcbf29ce484222325ULL;

/// FNV-1a over bytes, continuing from `hash`.
inline std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash = kFnv1aOffset) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t q = 0; q < size; ++q) hash = (hash ^ bytes[q]) * 0x100000001b3ULL;
  return hash;
}

/// As 16 hex digits.
inline std::string to_hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace conceptlens
