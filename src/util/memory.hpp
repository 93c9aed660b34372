#pragma once
// Memory sizes: parsing "4GiB"-style values and reading what this machine has available.
#include <cstdint>
#include <string>

namespace conceptlens {

/// Parses a byte count with an optional unit: B, KiB, MiB, GiB, TiB (also KB, MB, GB, TB as
/// powers of 1000). InputError naming `what` on a malformed value.
std::uint64_t parse_bytes(const std::string& text, const std::string& what);

/// Formats bytes for humans, e.g. "1.49 GiB".
std::string format_bytes(std::uint64_t bytes);

/// MemAvailable from /proc/meminfo in bytes (0 when it cannot be read).
std::uint64_t available_memory();

}  // namespace conceptlens
