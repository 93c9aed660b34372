#include "util/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

namespace conceptlens::log {

void configure(int rank) {
  auto logger = spdlog::stderr_logger_mt("conceptlens");
  logger->set_pattern(rank == 0 ? "[%H:%M:%S.%e] [%^%l%$] %v" : "[%H:%M:%S.%e] [rank " +
                                                                     std::to_string(rank) +
                                                                     "] [%^%l%$] %v");
  auto level = rank == 0 ? spdlog::level::info : spdlog::level::err;
  if (const char* env = std::getenv("CONCEPTLENS_LOG_LEVEL")) level = spdlog::level::from_str(env);
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

}  // namespace conceptlens::log
