#pragma once
// The Hugging Face reference files of tests/data/hf (see its FIXTURES.md): where a sentence's
// arrays live in <model>.h5, and the float comparison the extraction tests use.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace conceptlens::testing {

/// "/sentences/NNN/": the group of sentence s in <model>.h5.
inline std::string hf_sentence_group(std::size_t s) {
  char name[32];
  std::snprintf(name, sizeof name, "/sentences/%03zu/", s);
  return name;
}

/// Largest |a - b| (a failure when the sizes differ).
inline double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return worst;
}

}  // namespace conceptlens::testing
