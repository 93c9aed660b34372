#pragma once
// The matrix product at the heart of the distance computation: C = A * B^T for row-major
// float64 panels (float32 for the lean mode's candidates), single-threaded (ranks are the
// parallelism; one OpenBLAS thread whatever the process set before). It runs on OpenBLAS's dgemm
// where OpenBLAS has kernels for this CPU (measured here: 51 GFLOP/s against Eigen's 37), and
// on Eigen where OpenBLAS falls back to its generic Prescott kernels (CPUs newer than it knows).
#include <cstdint>
#include <string>

namespace conceptlens::cluster {

/// c[rows_a x rows_b] = a[rows_a x d] * b[rows_b x d]^T; all row-major, c's rows `rows_b` apart.
void product_abt(const double* a, std::int64_t rows_a, const double* b, std::int64_t rows_b,
                 std::int64_t d, double* c);
/// The same in float32 (sgemm), for the lean mode's candidate pass (product_bound.hpp).
void product_abt(const float* a, std::int64_t rows_a, const float* b, std::int64_t rows_b,
                 std::int64_t d, float* c);

/// Which implementation product_abt uses on this machine, e.g. "OpenBLAS (Cooperlake)".
std::string product_backend();

}  // namespace conceptlens::cluster
