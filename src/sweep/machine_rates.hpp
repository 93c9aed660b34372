#pragma once
// The rates of this machine that the time estimates of a sweep stand on (sweep/time_estimate.hpp),
// measured in about a second when a sweep starts, each with the kernel that does the work: the
// matrix products of extraction, of the distance matrix and of the vector mode's candidate
// passes, and the memory read bandwidth of the matrix mode's chain steps.
#include <string>

namespace conceptlens::sweep {

struct MachineRates {
  double gemm32 = 0;  ///< float32 matrix-product FLOP/s of one rank on `threads` threads (extraction)
  double gemm64 = 0;  ///< float64 FLOP/s of one rank on one thread (cluster::product_abt: the distances)
  double memory = 0;  ///< bytes/s one rank reads from memory (a streamed sum)
  double candidates = 0;  ///< float32 FLOP/s of one rank on one thread (cluster::product_abt: the vector mode's rounds)
  int threads = 1;    ///< the extraction threads per rank gemm32 was measured with
};

/// Measures the rates in about `seconds`: a quarter each for float32 products of a BERT layer's
/// shape on `threads` OpenBLAS threads, float64 distance products and float32 candidate tiles
/// (cluster::NearestPass's) on one thread, and a streamed sum over 64 MiB. Serial and local; under
/// MPI every rank measures at once, so that the rates are what each rank gets while the others
/// work too (mpi/app/sweep_run.cpp). OpenBLAS's thread count is restored afterwards.
MachineRates measure_machine_rates(int threads, double seconds = 0.6);

/// "float32 GEMM 61.2 GFLOP/s per rank on 1 thread(s), float64 GEMM 45.0 GFLOP/s, memory 12.3 GB/s,
/// float32 candidate products 90.1 GFLOP/s".
std::string describe(const MachineRates& rates);

}  // namespace conceptlens::sweep
