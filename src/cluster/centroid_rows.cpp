#include "cluster/centroid_rows.hpp"

#include <algorithm>
#include <cmath>

#include "cluster/centroid_distances.hpp"
#include "cluster/product_bound.hpp"
#include "util/error.hpp"

namespace conceptlens::cluster {

CentroidRows::CentroidRows(std::int64_t d, std::vector<double> centre) : d_(d), centre_(std::move(centre)) {}

CentroidRows::CentroidRows(std::int64_t d, std::vector<double> centre, std::vector<std::int64_t> slots,
                           std::vector<float> points)
    : d_(d), centre_(std::move(centre)), slots_(std::move(slots)) {
  CONCEPTLENS_CHECK(points.size() == slots_.size() * at(d));
  if (centre_.empty()) {
    product_ = std::move(points);
  } else {
    points_ = std::move(points);
    product_.resize(points_.size());
  }
  derive_points();
}

const float* CentroidRows::point(std::int64_t r) const {
  return (centre_.empty() ? product_.data() : points_.data()) + at(r) * at(d_);
}

const double* CentroidRows::exact(std::int64_t r, double* scratch) const {
  if (!is_point(r)) return stored(r);
  const float* p = point(r);
  for (std::int64_t k = 0; k < d_; ++k) scratch[k] = static_cast<double>(p[k]);
  return scratch;
}

double CentroidRows::ward_distance_to(std::int64_t r, const CentroidRows& other, std::int64_t c, double s_r,
                                      double s_c) const {
  const std::int64_t d = d_;
  auto with = [&](const auto* a) {
    return other.is_point(c) ? ward_distance(a, other.point(c), d, s_r, s_c)
                             : ward_distance(a, other.stored(c), d, s_r, s_c);
  };
  return is_point(r) ? with(point(r)) : with(stored(r));
}

double CentroidRows::ward_distance_to(std::int64_t r, const double* centroid, double s_r, double s_c) const {
  return is_point(r) ? ward_distance(point(r), centroid, d_, s_r, s_c)
                     : ward_distance(stored(r), centroid, d_, s_r, s_c);
}

std::int64_t CentroidRows::take_pool_row() {
  if (!free_.empty()) {
    const std::int64_t row = free_.back();
    free_.pop_back();
    return row;
  }
  if (pool_rows_ % kPoolBlock == 0) pool_.push_back(std::make_unique<double[]>(at(kPoolBlock * d_)));
  return pool_rows_++;
}

void CentroidRows::add_row(std::int64_t slot, std::int64_t pooled) {
  slots_.push_back(slot);
  pooled_.push_back(pooled);
  norms_.push_back(0.0);
  product_.resize(product_.size() + at(d_));
  if (!centre_.empty()) points_.resize(product_.size());
}

void CentroidRows::append(std::int64_t slot, const double* centroid) {
  add_row(slot, kPoint);
  assign(rows() - 1, centroid);
}

void CentroidRows::append_view(std::int64_t slot, const double* centroid) {
  views_.push_back(centroid);
  add_row(slot, -1 - static_cast<std::int64_t>(views_.size()));
  derive(rows() - 1);
}

void CentroidRows::assign(std::int64_t r, const double* centroid) {
  CONCEPTLENS_CHECK(pooled_[at(r)] >= kPoint);
  if (pooled_[at(r)] == kPoint) pooled_[at(r)] = take_pool_row();
  std::copy_n(centroid, d_, pool_row(pooled_[at(r)]));
  derive(r);
}

std::int64_t CentroidRows::remove(std::int64_t r) {
  const std::int64_t last = rows() - 1;
  CONCEPTLENS_CHECK(pooled_[at(r)] >= kPoint);
  if (pooled_[at(r)] >= 0) free_.push_back(pooled_[at(r)]);
  std::int64_t moved = -1;
  if (r != last) {
    std::copy_n(product_.data() + at(last * d_), d_, product_.data() + at(r * d_));
    if (!points_.empty()) std::copy_n(points_.data() + at(last * d_), d_, points_.data() + at(r * d_));
    norms_[at(r)] = norms_[at(last)];
    slots_[at(r)] = slots_[at(last)];
    pooled_[at(r)] = pooled_[at(last)];
    moved = slots_[at(r)];
  }
  product_.resize(at(last * d_));
  if (!points_.empty()) points_.resize(at(last * d_));
  norms_.pop_back();
  slots_.pop_back();
  pooled_.pop_back();
  return moved;
}

void CentroidRows::resize_points(std::int64_t rows) {
  CONCEPTLENS_CHECK(pool_.empty());
  product_.resize(at(rows * d_));
  if (!centre_.empty()) points_.resize(product_.size());
  slots_.resize(at(rows));
}

void CentroidRows::derive_points() {
  pooled_.assign(slots_.size(), kPoint);
  norms_.resize(slots_.size());
  for (std::int64_t r = 0; r < rows(); ++r) derive(r);
}

void CentroidRows::derive(std::int64_t r) {
  const double* pooled = is_point(r) ? nullptr : stored(r);
  const float* p = is_point(r) ? point(r) : nullptr;
  float* out = product_.data() + at(r * d_);
  double norm = 0.0;
  double largest = 0.0;
  for (std::int64_t k = 0; k < d_; ++k) {
    const double c = pooled != nullptr ? pooled[k] : static_cast<double>(p[k]);
    const double a = centre_.empty() ? c : c - centre_[at(k)];
    norm += a * a;
    largest = std::max(largest, std::abs(a));
    if (pooled != nullptr || !centre_.empty()) out[k] = static_cast<float>(a);
  }
  CONCEPTLENS_CHECK(largest <= ProductBound::kMaxCentred);  // the points were checked (rounds.cpp)
  norms_[at(r)] = norm;
}

}  // namespace conceptlens::cluster
