#pragma once
// The baseline a trigger's flip rate is measured against: random triggers of the same length,
// whose words are as frequent in the corpus as the trigger's. The corpus's word types are ranked
// by frequency (most frequent first, ties: first occurrence); word i of a baseline trigger is
// drawn uniformly from the types within kRankWindow ranks of word i of the concept's trigger —
// none of the trigger's own words, no word twice in one trigger. The draws are seeded by
// (seed, cluster, draw) alone, so every rank and every run draws the same.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "corpus/corpus_file.hpp"

namespace conceptlens::triggers {

/// How far (in frequency ranks, each way) a baseline word may be from the trigger word it stands for.
inline constexpr std::int64_t kRankWindow = 10;

class FrequencyRanks {
 public:
  /// Counts the word types of every line of `corpus`.
  explicit FrequencyRanks(const corpus::Corpus& corpus);

  std::int64_t types() const { return static_cast<std::int64_t>(by_rank_.size()); }
  /// The type at `rank` (0 = most frequent).
  const std::string& type(std::int64_t rank) const { return by_rank_[static_cast<std::size_t>(rank)]; }
  /// The rank of a word of the corpus; CONCEPTLENS_CHECK that it is one.
  std::int64_t rank(const std::string& word) const;

 private:
  std::vector<std::string> by_rank_;
  std::unordered_map<std::string, std::int64_t> rank_;
};

/// `draws` baseline triggers for the trigger of concept `cluster`. InputError when the corpus has
/// too few other types near a trigger word's rank to draw from.
std::vector<std::vector<std::string>> baseline_triggers(const FrequencyRanks& ranks,
                                                        const std::vector<std::string>& trigger, std::int64_t draws,
                                                        std::uint64_t seed, std::int32_t cluster);

}  // namespace conceptlens::triggers
