#include "cluster/panel_product.hpp"

#include <cblas.h>

#include <Eigen/Core>

extern "C" {
char* openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);
}

namespace conceptlens::cluster {

namespace {

bool use_openblas() {
  static const bool chosen = [] {
    openblas_set_num_threads(1);
    return std::string(openblas_get_corename()) != "Prescott";
  }();
  return chosen;
}

}  // namespace

void product_abt(const double* a, std::int64_t rows_a, const double* b, std::int64_t rows_b,
                 std::int64_t d, double* c) {
  if (use_openblas()) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows_a),
                static_cast<int>(rows_b), static_cast<int>(d), 1.0, a, static_cast<int>(d), b,
                static_cast<int>(d), 0.0, c, static_cast<int>(rows_b));
    return;
  }
  using Rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<Rows>(c, rows_a, rows_b).noalias() =
      Eigen::Map<const Rows>(a, rows_a, d) * Eigen::Map<const Rows>(b, rows_b, d).transpose();
}

void product_abt(const float* a, std::int64_t rows_a, const float* b, std::int64_t rows_b,
                 std::int64_t d, float* c) {
  if (use_openblas()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows_a),
                static_cast<int>(rows_b), static_cast<int>(d), 1.0F, a, static_cast<int>(d), b,
                static_cast<int>(d), 0.0F, c, static_cast<int>(rows_b));
    return;
  }
  using Rows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<Rows>(c, rows_a, rows_b).noalias() =
      Eigen::Map<const Rows>(a, rows_a, d) * Eigen::Map<const Rows>(b, rows_b, d).transpose();
}

std::string product_backend() {
  return use_openblas() ? std::string("OpenBLAS (") + openblas_get_corename() + ")"
                        : std::string("Eigen (OpenBLAS has only generic kernels for this CPU)");
}

}  // namespace conceptlens::cluster
