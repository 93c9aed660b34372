#include "sweep/machine_rates.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "cluster/nearest_pass.hpp"
#include "cluster/panel_product.hpp"

extern "C" {
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
}

namespace conceptlens::sweep {
namespace {

/// Units of work per second: `work` (one call does `units`) repeated for at least `seconds`
/// after one call that warms caches and thread pools.
template <typename Work>
double rate(double seconds, double units, Work&& work) {
  work();
  const auto start = std::chrono::steady_clock::now();
  double done = 0;
  double elapsed = 0;
  do {
    work();
    done += units;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return done / elapsed;
}

}  // namespace

MachineRates measure_machine_rates(int threads, double seconds) {
  MachineRates rates;
  rates.threads = threads;
  const int previous = openblas_get_num_threads();

  // extraction: tokens x hidden times hidden x intermediate (BERT-base's feed-forward product)
  constexpr int kTokens = 256, kHidden = 768, kIntermediate = 3072;
  std::vector<float> x(static_cast<std::size_t>(kTokens) * kHidden, 0.5f);
  std::vector<float> w(static_cast<std::size_t>(kHidden) * kIntermediate, 0.25f);
  std::vector<float> y(static_cast<std::size_t>(kTokens) * kIntermediate);
  openblas_set_num_threads(threads);
  rates.gemm32 = rate(seconds / 4, 2.0 * kTokens * kHidden * kIntermediate, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kTokens, kIntermediate, kHidden, 1.0f, x.data(), kHidden,
                w.data(), kIntermediate, 0.0f, y.data(), kIntermediate);
  });
  openblas_set_num_threads(1);

  // clustering: one block of the distance matrix, as the condensed matrix computes it
  constexpr int kRows = 512, kDims = 768;
  std::vector<double> a(static_cast<std::size_t>(kRows) * kDims, 0.5), b(a.size(), 0.25);
  std::vector<double> c(static_cast<std::size_t>(kRows) * kRows);
  rates.gemm64 = rate(seconds / 4, 2.0 * kRows * kRows * kDims,
                      [&] { cluster::product_abt(a.data(), kRows, b.data(), kRows, kDims, c.data()); });
  // the vector mode's rounds: float32 tiles of queries times centroids
  constexpr std::int64_t kTileRows = cluster::NearestPass::kTileRows, kTileCols = cluster::NearestPass::kTileCols;
  std::vector<float> queries(static_cast<std::size_t>(kTileRows * kDims), 0.5f);
  std::vector<float> centroids(static_cast<std::size_t>(kTileCols * kDims), 0.25f);
  std::vector<float> tile(static_cast<std::size_t>(kTileRows * kTileCols));
  rates.candidates = rate(seconds / 4, 2.0 * kTileRows * kTileCols * kDims, [&] {
    cluster::product_abt(queries.data(), kTileRows, centroids.data(), kTileCols, kDims, tile.data());
  });
  openblas_set_num_threads(previous);

  // the matrix mode's chain steps: reads of 64 MiB, which do not fit in the caches
  std::vector<double> stream(std::size_t{8} << 20, 1.0);
  const double bytes = static_cast<double>(stream.size() * sizeof(double));
  volatile double sink = 0;
  rates.memory = rate(seconds / 4, bytes, [&] {
    double sum[8] = {};
    for (std::size_t i = 0; i < stream.size(); i += 8) {
      for (std::size_t k = 0; k < 8; ++k) sum[k] += stream[i + k];
    }
    sink = sink + sum[0] + sum[7];
  });
  return rates;
}

std::string describe(const MachineRates& rates) {
  char text[240];
  std::snprintf(text, sizeof text,
                "float32 GEMM %.1f GFLOP/s per rank on %d thread(s), float64 GEMM %.1f GFLOP/s, memory %.1f GB/s, "
                "float32 candidate products %.1f GFLOP/s",
                rates.gemm32 / 1e9, rates.threads, rates.gemm64 / 1e9, rates.memory / 1e9, rates.candidates / 1e9);
  return text;
}

}  // namespace conceptlens::sweep
