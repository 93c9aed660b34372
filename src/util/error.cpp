#include "util/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace conceptlens {

void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "conceptlens: internal error: %s failed at %s:%d\n", condition, file, line);
  std::abort();
}

}  // namespace conceptlens
