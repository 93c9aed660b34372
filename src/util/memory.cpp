#include "util/memory.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "util/error.hpp"

namespace conceptlens {

std::uint64_t parse_bytes(const std::string& text, const std::string& what) {
  static const std::array<std::pair<const char*, double>, 10> units{{{"TiB", 0x1p40},
                                                                    {"GiB", 0x1p30},
                                                                    {"MiB", 0x1p20},
                                                                    {"KiB", 0x1p10},
                                                                    {"TB", 1e12},
                                                                    {"GB", 1e9},
                                                                    {"MB", 1e6},
                                                                    {"KB", 1e3},
                                                                    {"B", 1.0},
                                                                    {"", 1.0}}};
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used > 0 && value >= 0 && std::isfinite(value)) {
    const std::string unit = text.substr(used);
    for (const auto& [name, scale] : units) {
      if (unit == name) return static_cast<std::uint64_t>(value * scale);
    }
  }
  throw InputError(what + ": '" + text + "' is not a size (expected e.g. 4GiB, 512MiB, 8GB)");
}

std::string format_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  int u = 0;
  while (value >= 1024 && u < 4) {
    value /= 1024;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.2f %s", value, units[u]);
  return text;
}

std::uint64_t available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream fields(line.substr(13));
      std::uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

}  // namespace conceptlens
