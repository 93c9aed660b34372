#pragma once
// Rows of cluster centroids as the product pass reads them (nearest_pass.hpp). Per row:
//   - the product row: the centroid minus a common centre, rounded to float32 (what the matrix
//     products read; rows contiguous, so a block of rows is one matrix);
//   - the exact centroid (the float64 Ward distances are computed from it): a point given in
//     float32 is exact in float32, and when nothing is subtracted (no centre) its product row
//     is the point itself — no other copy; a union's centroid (or a point given in float64) is
//     kept in float64, in a pool;
//   - the float64 squared norm of the centred exact centroid, and the cluster's slot.
// The lean mode's shard of a rank (rounds.cpp) is one of these, kept compact by moving the
// last row into the place of a removed one; the rows a rank receives (the first pass's
// visiting shard, a round's queries) are others.
#include <cstdint>
#include <memory>
#include <vector>

namespace conceptlens::cluster {

class CentroidRows {
 public:
  /// Rows of dimension d; `centre` (d values, or empty: none) is subtracted before rounding.
  CentroidRows(std::int64_t d, std::vector<double> centre);
  /// Rows that are the points `points` (rows * d float32 values, consumed) of slots `slots`.
  CentroidRows(std::int64_t d, std::vector<double> centre, std::vector<std::int64_t> slots,
               std::vector<float> points);

  std::int64_t rows() const { return static_cast<std::int64_t>(slots_.size()); }
  std::int64_t dim() const { return d_; }
  const std::vector<double>& centre() const { return centre_; }

  std::int64_t slot(std::int64_t r) const { return slots_[at(r)]; }
  const std::int64_t* slots() const { return slots_.data(); }
  const float* product(std::int64_t r) const { return product_.data() + at(r) * at(d_); }
  double norm(std::int64_t r) const { return norms_[at(r)]; }
  /// Whether row r is a point held in float32 (and point(r) its values).
  bool is_point(std::int64_t r) const { return pooled_[at(r)] == kPoint; }
  const float* point(std::int64_t r) const;
  /// Row r's exact centroid: where it is kept, or `scratch` (d values) filled with it.
  const double* exact(std::int64_t r, double* scratch) const;
  /// The exact Ward distance of row r to row c of `other` (from the centroids as kept).
  double ward_distance_to(std::int64_t r, const CentroidRows& other, std::int64_t c, double s_r, double s_c) const;
  /// The exact Ward distance of row r to the float64 centroid `centroid`.
  double ward_distance_to(std::int64_t r, const double* centroid, double s_r, double s_c) const;

  /// Appends a row with the float64 centroid `centroid` (d values).
  void append(std::int64_t slot, const double* centroid);
  /// The same without copying the centroid, which must outlive these rows (a round's queries).
  void append_view(std::int64_t slot, const double* centroid);
  /// Row r becomes `centroid` (same slot).
  void assign(std::int64_t r, const double* centroid);
  /// Removes row r: the last row moves into its place (returns the moved row's slot, -1 when r
  /// was the last row).
  std::int64_t remove(std::int64_t r);

  /// Makes `rows` rows of points whose slots and float32 values the caller writes (e.g.
  /// receives) through slots_data() and points_data(); derive_points() then fills in the rest.
  void resize_points(std::int64_t rows);
  std::int64_t* slots_data() { return slots_.data(); }
  float* points_data() { return centre_.empty() ? product_.data() : points_.data(); }
  const float* points_data() const { return centre_.empty() ? product_.data() : points_.data(); }
  void derive_points();

 private:
  static constexpr std::int64_t kPoint = -1;
  static std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }
  /// Row r's float64 centroid (not a point).
  const double* stored(std::int64_t r) const {
    const std::int64_t p = pooled_[at(r)];
    return p >= 0 ? pool_row(p) : views_[at(-2 - p)];
  }
  /// Row p of the pool, which grows in blocks of kPoolBlock rows (never moved, little slack).
  double* pool_row(std::int64_t p) const { return pool_[at(p / kPoolBlock)].get() + at(p % kPoolBlock) * at(d_); }
  static constexpr std::int64_t kPoolBlock = 64;
  void add_row(std::int64_t slot, std::int64_t pooled);
  /// Fills row r's product row and norm from its exact centroid.
  void derive(std::int64_t r);
  std::int64_t take_pool_row();

  std::int64_t d_;
  std::vector<double> centre_;
  std::vector<float> product_;        ///< rows x d
  std::vector<float> points_;         ///< rows x d when centred: the points' values (else empty)
  std::vector<double> norms_;
  std::vector<std::int64_t> slots_;
  std::vector<std::int64_t> pooled_;  ///< per row: its float64 centroid's row in pool_, kPoint, or -2 - (its view)
  std::vector<std::unique_ptr<double[]>> pool_;
  std::int64_t pool_rows_ = 0;
  std::vector<const double*> views_;
  std::vector<std::int64_t> free_;    ///< unused rows of pool_
};

}  // namespace conceptlens::cluster
