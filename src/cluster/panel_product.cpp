#include "cluster/panel_product.hpp"

#include <cblas.h>

#include <Eigen/Core>

#include <type_traits>

extern "C" {
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
}

namespace conceptlens::cluster {

namespace {

bool use_openblas() {
  static const bool chosen = std::string(openblas_get_corename()) != "Prescott";
  return chosen;
}

/// One OpenBLAS thread for every product, whatever was set before it in the process (a sweep's
/// extraction sets its share of the node's cores, use_model_threads): OpenBLAS's products are
/// not bitwise the same at every thread count, and the linkage must not depend on the hosts'
/// shapes (exact duplicates' zero-height merges came out in another order on 2 hosts).
void one_blas_thread() {
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

/// The GEMM of either precision: OpenBLAS's sgemm/dgemm where it has kernels, else Eigen.
template <class T>
void gemm_abt(const T* a, std::int64_t rows_a, const T* b, std::int64_t rows_b, std::int64_t d, T* c) {
  if (use_openblas()) {
    one_blas_thread();
    const auto m = static_cast<int>(rows_a);
    const auto n = static_cast<int>(rows_b);
    const auto k = static_cast<int>(d);
    if constexpr (std::is_same_v<T, float>) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0F, a, k, b, k, 0.0F, c, n);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0, a, k, b, k, 0.0, c, n);
    }
    return;
  }
  using Rows = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<Rows>(c, rows_a, rows_b).noalias() =
      Eigen::Map<const Rows>(a, rows_a, d) * Eigen::Map<const Rows>(b, rows_b, d).transpose();
}

}  // namespace

void product_abt(const double* a, std::int64_t rows_a, const double* b, std::int64_t rows_b,
                 std::int64_t d, double* c) {
  gemm_abt(a, rows_a, b, rows_b, d, c);
}

void product_abt(const float* a, std::int64_t rows_a, const float* b, std::int64_t rows_b,
                 std::int64_t d, float* c) {
  gemm_abt(a, rows_a, b, rows_b, d, c);
}

std::string product_backend() {
  return use_openblas() ? std::string("OpenBLAS (") + openblas_get_corename() + ")"
                        : std::string("Eigen (OpenBLAS has only generic kernels for this CPU)");
}

}  // namespace conceptlens::cluster
