#pragma once
// Points to cluster: a row-major [n x d] matrix (one row per word occurrence), float32 or
// float64, viewed without copying. This is the data-layout convention of the whole cluster stage.
#include <Eigen/Core>

namespace conceptlens::cluster {

template <class Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class Scalar>
using PointsView = Eigen::Map<const RowMatrix<Scalar>>;

}  // namespace conceptlens::cluster
