#pragma once
// Logging: spdlog's default logger on stderr. Under MPI only rank 0 logs below warnings, so a
// message is printed once; CONCEPTLENS_LOG_LEVEL (trace|debug|info|warn|error) overrides.
namespace conceptlens::log {

/// Sets up the default logger for this process; `rank` is the MPI rank (0 when serial).
void configure(int rank);

}  // namespace conceptlens::log
