#include "extract/batch_plan.hpp"

#include <algorithm>
#include <numeric>

#include "util/error.hpp"

namespace conceptlens::extract {

std::vector<Batch> plan_batches(std::span<const std::int64_t> lengths, std::int64_t batch_tokens) {
  std::vector<std::int64_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return lengths[static_cast<std::size_t>(a)] > lengths[static_cast<std::size_t>(b)];
  });
  std::vector<Batch> batches;
  for (const std::int64_t s : order) {
    const std::int64_t length = lengths[static_cast<std::size_t>(s)];
    CONCEPTLENS_CHECK(length >= 1);
    // sorted longest first: the batch's first sentence sets its padded length; a sentence
    // joins while the batch stays within batch_tokens and its own padding within 10%
    if (batches.empty() ||
        batches.back().length * static_cast<std::int64_t>(batches.back().sentences.size() + 1) > batch_tokens ||
        10 * (batches.back().length - length) > batches.back().length) {
      batches.push_back(Batch{{}, length});
    }
    batches.back().sentences.push_back(s);
  }
  for (Batch& batch : batches) std::sort(batch.sentences.begin(), batch.sentences.end());
  return batches;
}

std::vector<std::vector<std::size_t>> deal_batches(const std::vector<Batch>& batches, int ranks) {
  CONCEPTLENS_CHECK(ranks >= 1);
  std::vector<std::size_t> order(batches.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return batches[a].padded_tokens() > batches[b].padded_tokens();
  });
  std::vector<std::int64_t> load(static_cast<std::size_t>(ranks), 0);
  std::vector<std::vector<std::size_t>> dealt(static_cast<std::size_t>(ranks));
  for (const std::size_t b : order) {
    const auto rank = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[rank] += batches[b].padded_tokens();
    dealt[rank].push_back(b);
  }
  for (auto& mine : dealt) std::sort(mine.begin(), mine.end());
  return dealt;
}

}  // namespace conceptlens::extract
