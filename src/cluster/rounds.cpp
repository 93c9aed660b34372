#include "cluster/rounds.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <type_traits>
#include <utility>

#include "cluster/active_set.hpp"
#include "cluster/centroid_distances.hpp"
#include "cluster/centroid_rows.hpp"
#include "cluster/condensed_matrix.hpp"
#include "cluster/neighbour_table.hpp"
#include "cluster/product_bound.hpp"
#include "util/error.hpp"

namespace conceptlens::cluster {

namespace {

constexpr int kStride = NeighbourTable::kStride;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// A merge of a round: reciprocal nearest neighbours `dying` < `survivor`.
struct Pair {
  std::int64_t dying = 0;
  std::int64_t survivor = 0;
  double height = 0;           ///< their exact Ward distance (squared units)
  double dying_size = 0;       ///< sizes before the merge
  double survivor_size = 0;
  Nearest dying_bound = kNone;  ///< their lists' bounds when the round started
  Nearest survivor_bound = kNone;
};

/// The bound of a union's list, whose candidates are its parts' list entries (NeighbourTable).
/// A cluster C in neither list is at or after both parts' bounds, so D(union, C) >=
/// min(D(A, C), D(B, C)) gives the nearer bound; and Lance-Williams,
///   D(A+B, C) = ((a + c) D(A,C) + (b + c) D(B,C) - c D(A,B)) / (a + b + c)   (a, b, c: sizes),
/// is at least f(c) with the bounds' distances in place of D(A,C) and D(B,C): f is monotone in
/// c, so its smaller value at c = 1 and c = the largest live size is a bound for every C
/// (lowered by `slack`, more than the rounding of these float64 values).
Nearest union_bound(const Pair& p, double largest_size, double slack) {
  const Nearest nearer = before(p.dying_bound, p.survivor_bound) ? p.dying_bound : p.survivor_bound;
  auto f = [&](double c) {
    return ((p.dying_size + c) * p.dying_bound.distance + (p.survivor_size + c) * p.survivor_bound.distance -
            c * p.height) /
           (p.dying_size + p.survivor_size + c);
  };
  const Nearest lance_williams{-1, std::min(f(1.0), f(largest_size)) * (1.0 - slack)};
  return before(nearer, lance_williams) ? lance_williams : nearer;
}

class Rounds {
 public:
  template <class Scalar>
  Rounds(RoundTeam& team, std::int64_t n, std::int64_t d, std::vector<Scalar> owned, ChainHooks hooks,
         RoundsLayout layout);

  std::vector<RawMerge> run();
  RoundStats stats;

 private:
  int owner(std::int64_t slot) const { return static_cast<int>(slot / layout_.block % ranks_); }
  bool holds(std::int64_t slot) const { return owner(slot) == me_; }
  /// The exact centroid of a cluster this rank holds (in `scratch` when it is a float32 point).
  const double* centroid(std::int64_t slot, double* scratch) const { return shard_.exact(row_of_[at(slot)], scratch); }
  void copy_centroid(std::int64_t slot, double* out) const {
    const double* c = centroid(slot, out);
    if (c != out) std::copy_n(c, d_, out);
  }
  static std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

  /// The lists of every live cluster, from all pairs (each once, over the ranks).
  void first_pass();
  /// Merges `pairs` (disjoint): shares the parts' centroids, computes the unions (into
  /// `parts`; returns where each union is), updates sizes, the live set and the shard.
  std::vector<const double*> merge(std::vector<Pair>& pairs, std::vector<double>& parts);
  /// One round (see rounds.hpp).
  void round();
  /// Rebuilds the centroids after the merges of a checkpoint, in batches of independent merges.
  void replay();
  /// New lists for `queries` (their centroids at hand on every rank).
  void search(const CentroidRows& queries, NeighbourTable& table);
  void add(const PassStats& pass);

  RoundTeam& team_;
  std::int64_t n_;
  std::int64_t d_;
  int me_;
  int ranks_;
  RoundsLayout layout_;
  ChainHooks hooks_;
  ChainState& state_;
  std::vector<std::int64_t> sizes_;
  double largest_size_ = 1;
  ActiveSet active_;
  std::int64_t live_;
  bool float_points_;                 ///< the points came in float32 (exact in float32)
  std::vector<double> centre_;        ///< subtracted before the float32 products (empty: none)
  CentroidRows shard_;                ///< this rank's live clusters
  std::vector<std::int64_t> row_of_;  ///< shard row of each slot held here, -1 otherwise
  std::vector<char> gone_;            ///< parts of this round's merges
  std::vector<std::int64_t> pair_of_; ///< a part's pair in this round, -1 otherwise
  bool recomputed_ = false;           ///< the last round found no pair and recomputed the lists
};

/// The centre is subtracted before rounding to float32 only when the points' mean carries more
/// than this share of their energy (sum of squared norms): rounding errors scale with the norms,
/// and without a centre a float32 point is its own product row (no second copy).
constexpr double kCentreShare = 0.75;

template <class Scalar>
Rounds::Rounds(RoundTeam& team, std::int64_t n, std::int64_t d, std::vector<Scalar> owned, ChainHooks hooks,
               RoundsLayout layout)
    : team_(team),
      n_(n),
      d_(d),
      me_(team.rank()),
      ranks_(team.size()),
      layout_(layout),
      hooks_(std::move(hooks)),
      state_(hooks_.start),
      sizes_(at(n), 1),
      active_(n),
      live_(n),
      float_points_(std::is_same_v<Scalar, float>),
      shard_(d, {}),
      row_of_(at(n), -1),
      gone_(at(n), 0),
      pair_of_(at(n), -1) {
  std::vector<std::int64_t> slots;
  for (const RowRange& range : block_cyclic_rows(n, me_, ranks_, layout.block)) {
    for (std::int64_t i = range.first; i < range.last; ++i) slots.push_back(i);
  }
  CONCEPTLENS_CHECK(owned.size() == slots.size() * at(d));
  // Sums over the ranks: per coordinate, of squares, and a flag for out-of-range values.
  std::vector<double> sums(at(d) + 2, 0.0);
  for (std::size_t v = 0; v < owned.size(); ++v) {
    const auto x = static_cast<double>(owned[v]);
    sums[v % at(d)] += x;
    sums[at(d)] += x * x;
    if (!(std::abs(x) < ProductBound::kMaxCentred / 2)) sums[at(d) + 1] = 1;
  }
  team_.sum(sums.data(), d + 2);
  if (sums[at(d) + 1] > 0) {
    throw InputError("a coordinate of the points reaches 2^49 in magnitude: the lean mode's float32 products need "
                     "smaller values; use --mode matrix");
  }
  double mean_energy = 0;
  std::vector<double> mean(at(d));
  for (std::int64_t k = 0; k < d; ++k) {
    mean[at(k)] = sums[at(k)] / static_cast<double>(n);
    mean_energy += static_cast<double>(n) * mean[at(k)] * mean[at(k)];
  }
  if (mean_energy > kCentreShare * sums[at(d)]) centre_ = std::move(mean);
  for (std::size_t r = 0; r < slots.size(); ++r) row_of_[at(slots[r])] = static_cast<std::int64_t>(r);
  if constexpr (std::is_same_v<Scalar, float>) {
    shard_ = CentroidRows(d, centre_, std::move(slots), std::move(owned));
  } else {
    shard_ = CentroidRows(d, centre_);
    for (std::size_t r = 0; r < slots.size(); ++r) shard_.append(slots[r], owned.data() + r * at(d));
  }
}

void Rounds::add(const PassStats& pass) {
  stats.pass.product_seconds += pass.product_seconds;
  stats.pass.pairs += pass.pairs;
  stats.pass.exact += pass.exact;
}

void Rounds::first_pass() {
  const auto started = Clock::now();
  std::vector<std::int64_t> held(at(ranks_), 0);  // live clusters each rank holds
  active_.for_each([&](std::int64_t k) { ++held[at(owner(k))]; });
  const std::int64_t mine = shard_.rows();
  // The pairs this rank computes: its own (upper triangle), then at step s the pairs with the
  // shard of rank me + s; at s = P/2 (even P) the two ranks of a pair split the block.
  auto step_rows = [&](int s) -> std::pair<std::int64_t, std::int64_t> {  // rows of the block's first operand
    const int from = (me_ + s) % ranks_;
    if (2 * s < ranks_) return {0, mine};
    if (me_ < from) return {0, mine / 2};
    return {held[at(from)] / 2, held[at(from)]};
  };
  double total = 0.5 * static_cast<double>(mine) * static_cast<double>(mine - 1);
  for (int s = 1; 2 * s <= ranks_; ++s) {
    const auto [first, last] = step_rows(s);
    const std::int64_t other = 2 * s == ranks_ && me_ > (me_ + s) % ranks_ ? mine : held[at((me_ + s) % ranks_)];
    total += static_cast<double>(last - first) * static_cast<double>(other);
  }

  NearestPass pass(n_, d_);
  if (hooks_.progress) pass.progress = [&](double pairs) { hooks_.progress(total > 0 ? pairs / total : 1.0); };
  pass.offer(shard_, shard_.slots(), 0, mine, shard_, shard_.slots(), /*upper=*/true, sizes_);
  // Shards travel as float32 points while every cluster is one (exact), else in float64.
  const bool points = float_points_ && live_ == n_;
  std::vector<double> sent;
  if (!points) {
    sent.resize(at(mine * d_));
    for (std::int64_t r = 0; r < mine; ++r) copy_centroid(shard_.slot(r), sent.data() + at(r * d_));
  }
  for (int s = 1; 2 * s <= ranks_; ++s) {
    const int to = (me_ - s + ranks_) % ranks_;
    const int from = (me_ + s) % ranks_;
    const std::int64_t count = held[at(from)];
    CentroidRows visiting(d_, centre_);
    std::vector<std::int64_t> slots(at(count));
    team_.exchange(shard_.slots(), at(mine) * sizeof(std::int64_t), to, slots.data(),
                   at(count) * sizeof(std::int64_t), from);
    if (points) {
      visiting.resize_points(count);
      std::copy(slots.begin(), slots.end(), visiting.slots_data());
      team_.exchange(shard_.points_data(), at(mine * d_) * sizeof(float), to, visiting.points_data(),
                     at(count * d_) * sizeof(float), from);
      visiting.derive_points();
    } else {
      std::vector<double> received(at(count * d_));
      team_.exchange(sent.data(), sent.size() * sizeof(double), to, received.data(),
                     received.size() * sizeof(double), from);
      for (std::int64_t r = 0; r < count; ++r) visiting.append(slots[at(r)], received.data() + at(r * d_));
    }
    const auto [first, last] = step_rows(s);
    if (2 * s == ranks_ && me_ > from) {
      pass.offer(visiting, visiting.slots(), first, last, shard_, shard_.slots(), false, sizes_);
    } else {
      pass.offer(shard_, shard_.slots(), first, last, visiting, visiting.slots(), false, sizes_);
    }
  }
  team_.merge_lists(pass.best().data(), n_);
  NeighbourTable table(state_.neighbours);
  active_.for_each([&](std::int64_t k) { table.set(k, pass.best().data() + at(k) * kStride); });
  add(pass.stats);
  stats.first_pass_seconds += seconds_since(started);
}

std::vector<const double*> Rounds::merge(std::vector<Pair>& pairs, std::vector<double>& parts) {
  // Rank r's part of the gathered buffer: the parts it holds, pair by pair (dying, survivor).
  std::vector<std::int64_t> counts(at(ranks_), 0);
  for (const Pair& p : pairs) {
    ++counts[at(owner(p.dying))];
    ++counts[at(owner(p.survivor))];
  }
  std::vector<std::int64_t> cursor(at(ranks_), 0);
  for (int r = 1; r < ranks_; ++r) cursor[at(r)] = cursor[at(r - 1)] + counts[at(r - 1)];
  for (auto& c : counts) c *= d_;
  parts.resize(2 * pairs.size() * at(d_));
  std::vector<std::pair<double*, double*>> where(pairs.size());
  for (std::size_t q = 0; q < pairs.size(); ++q) {
    double* dying = parts.data() + at(cursor[at(owner(pairs[q].dying))]++ * d_);
    double* survivor = parts.data() + at(cursor[at(owner(pairs[q].survivor))]++ * d_);
    if (holds(pairs[q].dying)) copy_centroid(pairs[q].dying, dying);
    if (holds(pairs[q].survivor)) copy_centroid(pairs[q].survivor, survivor);
    where[q] = {dying, survivor};
  }
  team_.allgather(parts.data(), counts);

  std::vector<const double*> unions(pairs.size());
  for (std::size_t q = 0; q < pairs.size(); ++q) {
    Pair& p = pairs[q];
    p.dying_size = static_cast<double>(sizes_[at(p.dying)]);
    p.survivor_size = static_cast<double>(sizes_[at(p.survivor)]);
    merge_centroid(where[q].first, where[q].second, d_, p.dying_size, p.survivor_size);
    unions[q] = where[q].second;
    sizes_[at(p.survivor)] += sizes_[at(p.dying)];
    largest_size_ = std::max(largest_size_, static_cast<double>(sizes_[at(p.survivor)]));
    active_.remove(p.dying);
    --live_;
    if (holds(p.survivor)) shard_.assign(row_of_[at(p.survivor)], unions[q]);
    if (holds(p.dying)) {
      const std::int64_t row = row_of_[at(p.dying)];
      const std::int64_t moved = shard_.remove(row);
      if (moved >= 0) row_of_[at(moved)] = row;
      row_of_[at(p.dying)] = -1;
    }
  }
  return unions;
}

void Rounds::replay() {
  // A merge depends on the merges that made its parts: batch b holds the merges whose
  // dependencies lie in batches before it, so a batch's merges are disjoint.
  std::vector<std::int64_t> generation(at(n_), 0);
  std::vector<std::vector<Pair>> batches;
  for (const RawMerge& m : state_.merges) {
    const std::int64_t g = std::max(generation[at(m.i)], generation[at(m.j)]) + 1;
    generation[at(m.j)] = g;
    if (static_cast<std::int64_t>(batches.size()) < g) batches.resize(at(g));
    Pair p;
    p.dying = m.i;
    p.survivor = m.j;
    p.height = m.squared;
    batches[at(g - 1)].push_back(p);
  }
  std::vector<double> parts;
  for (auto& batch : batches) merge(batch, parts);
}

void Rounds::search(const CentroidRows& queries, NeighbourTable& table) {
  NearestPass pass(queries.rows(), d_);
  pass.offer(queries, nullptr, 0, queries.rows(), shard_, nullptr, /*upper=*/false, sizes_);
  team_.merge_lists(pass.best().data(), queries.rows());
  for (std::int64_t q = 0; q < queries.rows(); ++q) table.set(queries.slot(q), pass.best().data() + at(q) * kStride);
  add(pass.stats);
  stats.searches += queries.rows();
}

void Rounds::round() {
  NeighbourTable table(state_.neighbours);
  std::vector<Pair> pairs;
  active_.for_each([&](std::int64_t k) {
    CONCEPTLENS_CHECK(table.known(k));
    const Nearest& nearest = table.head(k);
    if (nearest.index > k && table.head(nearest.index).index == k) {
      Pair p;
      p.dying = k;
      p.survivor = nearest.index;
      p.height = nearest.distance;
      p.dying_bound = table.bound(k);
      p.survivor_bound = table.bound(nearest.index);
      pairs.push_back(p);
    }
  });
  // A round merges at most max_merges() pairs, the first by slot: its messages stay within
  // round_bytes whatever n. The others stay reciprocal and merge in a later round.
  const std::int64_t most = layout_.max_merges(d_);
  if (static_cast<std::int64_t>(pairs.size()) > most) pairs.resize(at(most));
  if (pairs.empty()) {
    // Exact lists always hold a reciprocal pair (the globally nearest one); lists kept under
    // reducibility might not, where rounding breaks it. Recompute them all (once).
    CONCEPTLENS_CHECK(!recomputed_);
    spdlog::warn("rounds: no reciprocal nearest neighbours among {} clusters: recomputing every list", live_);
    first_pass();
    recomputed_ = true;
    return;
  }
  recomputed_ = false;
  for (std::size_t q = 0; q < pairs.size(); ++q) {
    gone_[at(pairs[q].dying)] = gone_[at(pairs[q].survivor)] = 1;
    pair_of_[at(pairs[q].dying)] = pair_of_[at(pairs[q].survivor)] = static_cast<std::int64_t>(q);
  }
  auto union_slot = [&](std::int64_t part) { return pairs[at(pair_of_[at(part)])].survivor; };

  // The exact distances the lists need (each pair of clusters once), from the lists as they
  // stand: a union to its parts' list entries (their own unions where they merged too), and
  // every cluster whose list held a part to that part's union. Clusters whose every entry
  // merged may end with an empty list: their centroids travel with the distances.
  std::vector<std::pair<std::int64_t, std::int64_t>> tasks;
  for (const Pair& p : pairs) {
    for (const std::int64_t part : {p.dying, p.survivor}) {
      const Nearest* entries = table.list(part);
      for (int q = 0; q < table.count(part); ++q) {
        const std::int64_t x = entries[q].index;
        const std::int64_t c = gone_[at(x)] ? union_slot(x) : x;
        if (c != p.survivor) tasks.emplace_back(std::min(c, p.survivor), std::max(c, p.survivor));
      }
    }
  }
  std::vector<std::int64_t> at_risk;
  active_.for_each([&](std::int64_t k) {
    if (gone_[at(k)]) return;
    const Nearest* entries = table.list(k);
    const int count = table.count(k);
    int merged = 0;
    for (int q = 0; q < count; ++q) {
      if (!gone_[at(entries[q].index)]) continue;
      ++merged;
      const std::int64_t y = union_slot(entries[q].index);
      tasks.emplace_back(std::min(k, y), std::max(k, y));
    }
    if (merged == count) at_risk.push_back(k);
  });
  std::sort(tasks.begin(), tasks.end());
  tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());

  for (const Pair& p : pairs) state_.merges.push_back(RawMerge{p.dying, p.survivor, p.height});
  std::vector<double> parts;
  const std::vector<const double*> unions = merge(pairs, parts);
  auto is_union = [&](std::int64_t slot) { return gone_[at(slot)] && union_slot(slot) == slot; };
  auto union_centroid = [&](std::int64_t slot) { return unions[at(pair_of_[at(slot)])]; };

  // Who computes what: a task's non-union side is held by one rank (the union is everywhere);
  // two unions go to the holder of the smaller slot.
  auto task_owner = [&](const std::pair<std::int64_t, std::int64_t>& t) {
    CONCEPTLENS_CHECK(is_union(t.first) || is_union(t.second));
    return owner(!is_union(t.first) || is_union(t.second) ? t.first : t.second);
  };
  std::vector<std::int64_t> counts(at(ranks_), 0);
  for (const auto& t : tasks) ++counts[at(task_owner(t))];
  for (const std::int64_t k : at_risk) counts[at(owner(k))] += d_;
  std::vector<std::int64_t> cursor(at(ranks_), 0);
  for (int r = 1; r < ranks_; ++r) cursor[at(r)] = cursor[at(r - 1)] + counts[at(r - 1)];
  std::vector<double> gathered(at(cursor.back() + counts.back()));
  std::vector<std::int64_t> value_at(tasks.size());
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const auto [a, b] = tasks[t];
    const int who = task_owner(tasks[t]);
    value_at[t] = cursor[at(who)]++;
    if (who != me_) continue;
    // One side is a union (known everywhere); the other a union too, or a cluster held here.
    const auto s_a = static_cast<double>(sizes_[at(a)]);
    const auto s_b = static_cast<double>(sizes_[at(b)]);
    double distance = 0;
    if (!is_union(a)) {
      distance = shard_.ward_distance_to(row_of_[at(a)], union_centroid(b), s_a, s_b);
    } else if (!is_union(b)) {
      distance = shard_.ward_distance_to(row_of_[at(b)], union_centroid(a), s_b, s_a);
    } else {
      distance = ward_distance(union_centroid(a), union_centroid(b), d_, s_a, s_b);
    }
    gathered[at(value_at[t])] = distance;
  }
  std::vector<const double*> at_risk_centroid(at_risk.size());
  for (std::size_t q = 0; q < at_risk.size(); ++q) {
    double* out = gathered.data() + cursor[at(owner(at_risk[q]))];
    cursor[at(owner(at_risk[q]))] += d_;
    if (holds(at_risk[q])) copy_centroid(at_risk[q], out);
    at_risk_centroid[q] = out;
  }
  team_.allgather(gathered.data(), counts);

  // The lists, the same on every rank.
  const double slack = ProductBound::for_dimension(d_).slack;
  for (const Pair& p : pairs) {
    table.restart(p.dying, kNone);
    table.restart(p.survivor, union_bound(p, largest_size_, slack));
  }
  active_.for_each([&](std::int64_t k) {
    if (!gone_[at(k)]) table.drop(k, gone_);
  });
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const auto [a, b] = tasks[t];
    const double distance = gathered[at(value_at[t])];
    table.offer(a, {b, distance});
    table.offer(b, {a, distance});
  }

  // Clusters left without a known nearest neighbour are searched again.
  CentroidRows queries(d_, centre_);
  std::size_t risk = 0;
  active_.for_each([&](std::int64_t k) {
    while (risk < at_risk.size() && at_risk[risk] < k) ++risk;
    if (table.known(k)) return;
    if (is_union(k)) {
      queries.append_view(k, union_centroid(k));
    } else {
      CONCEPTLENS_CHECK(risk < at_risk.size() && at_risk[risk] == k);
      queries.append_view(k, at_risk_centroid[risk]);
    }
  });
  std::int64_t union_queries = 0;
  for (std::int64_t q = 0; q < queries.rows(); ++q) union_queries += is_union(queries.slot(q)) ? 1 : 0;
  spdlog::debug("round {}: {} merges ({} live after), {} exact distances for the lists, {} clusters at risk, {} "
                "searched ({} unions)",
                stats.rounds + 1, pairs.size(), live_, tasks.size(), at_risk.size(), queries.rows(), union_queries);
  for (const Pair& p : pairs) {
    gone_[at(p.dying)] = gone_[at(p.survivor)] = 0;
    pair_of_[at(p.dying)] = pair_of_[at(p.survivor)] = -1;
  }
  if (queries.rows() > 0 && live_ > 1) search(queries, table);

  ++stats.rounds;
  stats.max_merges = std::max(stats.max_merges, static_cast<std::int64_t>(pairs.size()));
  stats.updates += static_cast<std::int64_t>(tasks.size());
}

std::vector<RawMerge> Rounds::run() {
  const auto started = Clock::now();
  if (!state_.merges.empty()) replay();
  if (state_.neighbours.empty()) {
    NeighbourTable::reset(state_.neighbours, n_);
    if (live_ > 1) first_pass();
  }
  while (live_ > 1) {
    round();
    state_.steps = stats.rounds;
    if (hooks_.after_merge) hooks_.after_merge(std::as_const(state_));
  }
  stats.seconds = seconds_since(started);
  stats.team = team_.stats;
  return std::move(state_.merges);
}

}  // namespace

std::uint64_t rounds_bytes_per_rank(std::int64_t n, std::int64_t d, std::size_t point_bytes, int ranks,
                                    bool whole_input) {
  const auto un = static_cast<double>(n);
  const auto ud = static_cast<double>(d);
  const auto share = static_cast<double>(row_count(block_cyclic_rows(n, 0, ranks, kCentroidBlockRows)));
  const auto pb = static_cast<double>(point_bytes);
  // A row: its float32 product row and either its float32 values (when centred) or, for points
  // given in float64, its float64 centroid.
  const double row = ud * (point_bytes == sizeof(float) ? 8.0 : 12.0);
  const double reading = (whole_input ? un : share) * ud * pb + (whole_input && ranks > 1 ? share * ud * pb : 0.0);
  const double pass_search = un * NeighbourTable::kStride * 24.0 +
                             std::min(un * un, static_cast<double>(std::int64_t{1} << 17)) * 32.0 +
                             std::min<double>(NearestPass::kTileRows, un) * std::min<double>(NearestPass::kTileCols, un) * 4.0;
  const double first_pass = share * row * (ranks > 1 ? 2.0 : 1.0) + pass_search;
  const double round_buffers = 2.0 * std::min(static_cast<double>(kRoundBytes), un * ud * 8.0);
  const double rounds = share * row + share / 2 * ud * 8.0 + round_buffers;
  const double per_cluster = un * (NeighbourTable::kStride * 16.0 + 64.0);
  return static_cast<std::uint64_t>(std::max({reading, first_pass, rounds}) + per_cluster);
}

template <class Scalar>
std::vector<RawMerge> rounds_ward(RoundTeam& team, std::int64_t n, std::int64_t d, std::vector<Scalar> owned,
                                  ChainHooks hooks, RoundStats* stats, RoundsLayout layout) {
  if (n < 2) return {};
  Rounds rounds(team, n, d, std::move(owned), std::move(hooks), layout);
  auto merges = rounds.run();
  if (stats != nullptr) *stats = rounds.stats;
  return merges;
}

template std::vector<RawMerge> rounds_ward(RoundTeam&, std::int64_t, std::int64_t, std::vector<float>, ChainHooks,
                                           RoundStats*, RoundsLayout);
template std::vector<RawMerge> rounds_ward(RoundTeam&, std::int64_t, std::int64_t, std::vector<double>, ChainHooks,
                                           RoundStats*, RoundsLayout);

}  // namespace conceptlens::cluster
