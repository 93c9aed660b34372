#pragma once
// The check that two linkages are the same, merge by merge, heights bitwise: what "the same
// result" means for resumed, sharded and serial runs.
#include <gtest/gtest.h>

#include "cluster/linkage.hpp"

namespace conceptlens::testing {

inline void expect_bitwise_equal(const cluster::Linkage& actual, const cluster::Linkage& expected) {
  ASSERT_EQ(actual.n, expected.n);
  ASSERT_EQ(actual.merges.size(), expected.merges.size());
  for (std::size_t q = 0; q < expected.merges.size(); ++q) {
    ASSERT_EQ(actual.merges[q].a, expected.merges[q].a) << "merge " << q;
    ASSERT_EQ(actual.merges[q].b, expected.merges[q].b) << "merge " << q;
    ASSERT_EQ(actual.merges[q].height, expected.merges[q].height) << "merge " << q;  // bitwise
    ASSERT_EQ(actual.merges[q].size, expected.merges[q].size) << "merge " << q;
  }
}

}  // namespace conceptlens::testing
