#include "triggers/polarity_concepts.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace conceptlens::triggers {

std::vector<PolarityConcept> polarity_concepts(const align::ClusterCounts& counts, const align::Alignment& alignment,
                                               const align::LabelIndex& index, std::int64_t trigger_words) {
  CONCEPTLENS_CHECK(trigger_words >= 1 && alignment.options.level == align::Level::token);
  std::vector<PolarityConcept> concepts;
  auto types = counts.type_counts.begin();  // canonical: by cluster, then type
  for (const align::ClusterAlignment& cluster : alignment.clusters) {
    const auto first = types;
    while (types != counts.type_counts.end() && types->cluster == cluster.cluster) ++types;
    if (!cluster.aligned) continue;
    std::vector<align::Cell> ranked(first, types);
    std::sort(ranked.begin(), ranked.end(), [](const align::Cell& a, const align::Cell& b) {
      return a.count != b.count ? a.count > b.count : a.first < b.first;
    });
    PolarityConcept found{cluster.cluster, cluster.label, cluster.share, {}, {}};
    const std::size_t listed = std::max(align::kTopWords, static_cast<std::size_t>(trigger_words));
    for (std::size_t i = 0; i < std::min(ranked.size(), listed); ++i) {
      found.words.push_back(index.types[static_cast<std::size_t>(ranked[i].id)]);
    }
    const auto length = std::min(found.words.size(), static_cast<std::size_t>(trigger_words));
    found.trigger.assign(found.words.begin(), found.words.begin() + static_cast<std::ptrdiff_t>(length));
    concepts.push_back(std::move(found));
  }
  return concepts;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace conceptlens::triggers
