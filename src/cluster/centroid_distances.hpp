#pragma once
// The arithmetic of centroids: Ward dissimilarities 2|A||B|/(|A|+|B|) * ||c_A - c_B||^2 (what
// the Lance-Williams recurrence of the matrix mode keeps) and the centroid of a union. These
// two kernels are the only float64 arithmetic the lean mode's decisions use (rounds.hpp); their
// results do not depend on where the rows lie in memory, so every rank that computes a distance
// gets the same bits.
#include <cstdint>

namespace conceptlens::cluster {

/// Ward dissimilarity (squared units) of clusters with centroids a, b (d values) and sizes
/// s_a, s_b. Sums in a fixed order whatever the alignment of a and b; symmetric in (a, s_a) and
/// (b, s_b) bitwise. A centroid given in float32 (a point read as float32) is widened to float64
/// value by value, exactly: the result is the same bits as for its float64 copy.
template <class A, class B>
double ward_distance(const A* a, const B* b, std::int64_t d, double s_a, double s_b);

/// survivor := centroid of the union of clusters `dying` (size s_dying) and `survivor` (s_survivor).
void merge_centroid(const double* dying, double* survivor, std::int64_t d, double s_dying, double s_survivor);

}  // namespace conceptlens::cluster
