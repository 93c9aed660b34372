#include "triggers/baseline_triggers.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace conceptlens::triggers {

FrequencyRanks::FrequencyRanks(const corpus::Corpus& corpus) {
  struct Seen {
    std::int64_t count = 0;
    std::int64_t first = 0;
  };
  std::unordered_map<std::string, Seen> seen;
  std::int64_t position = 0;
  for (const std::string& line : corpus.lines) {
    for (const std::string_view word : corpus::split_words(line)) {
      auto [at, added] = seen.try_emplace(std::string(word), Seen{0, position});
      ++at->second.count;
      ++position;
    }
  }
  std::vector<std::pair<std::string, Seen>> sorted(seen.begin(), seen.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.count != b.second.count ? a.second.count > b.second.count : a.second.first < b.second.first;
  });
  for (auto& [word, counts] : sorted) {
    rank_.emplace(word, static_cast<std::int64_t>(by_rank_.size()));
    by_rank_.push_back(std::move(word));
  }
}

std::int64_t FrequencyRanks::rank(const std::string& word) const {
  const auto found = rank_.find(word);
  CONCEPTLENS_CHECK(found != rank_.end());
  return found->second;
}

std::vector<std::vector<std::string>> baseline_triggers(const FrequencyRanks& ranks,
                                                        const std::vector<std::string>& trigger, std::int64_t draws,
                                                        std::uint64_t seed, std::int32_t cluster) {
  std::vector<std::vector<std::string>> out;
  for (std::int64_t d = 0; d < draws; ++d) {
    // SplitMix64 stream of (seed, cluster, draw)
    std::uint64_t state = mix(mix(mix(seed) ^ static_cast<std::uint64_t>(cluster)) ^ static_cast<std::uint64_t>(d));
    std::vector<std::string> drawn;
    for (const std::string& word : trigger) {
      const std::int64_t rank = ranks.rank(word);
      std::vector<std::int64_t> candidates;
      for (std::int64_t r = std::max<std::int64_t>(0, rank - kRankWindow);
           r <= std::min(ranks.types() - 1, rank + kRankWindow); ++r) {
        const std::string& type = ranks.type(r);
        if (std::find(trigger.begin(), trigger.end(), type) == trigger.end() &&
            std::find(drawn.begin(), drawn.end(), type) == drawn.end()) {
          candidates.push_back(r);
        }
      }
      if (candidates.empty()) {
        throw InputError("the corpus has no other word types within " + std::to_string(kRankWindow) +
                         " frequency ranks of the trigger word '" + word + "' to draw a baseline trigger from");
      }
      state = mix(state);
      drawn.push_back(ranks.type(candidates[static_cast<std::size_t>(state % candidates.size())]));
    }
    out.push_back(std::move(drawn));
  }
  return out;
}

}  // namespace conceptlens::triggers
