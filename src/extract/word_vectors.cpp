#include "extract/word_vectors.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "util/error.hpp"

namespace conceptlens::extract {

Aggregation parse_aggregation(const std::string& name) {
  if (name == "last") return Aggregation::last;
  if (name == "first") return Aggregation::first;
  if (name == "average") return Aggregation::average;
  throw InputError("unknown aggregation '" + name + "'; expected last, first or average");
}

const char* aggregation_name(Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::last: return "last";
    case Aggregation::first: return "first";
    case Aggregation::average: return "average";
  }
  return "?";
}

void word_vectors(const tokenize::SentenceEncoding& encoding, Aggregation aggregation,
                  std::span<const float> states, std::int64_t hidden, std::span<float> out) {
  const auto h = static_cast<std::size_t>(hidden);
  const auto rows = encoding.words_out.size();
  CONCEPTLENS_CHECK(out.size() == rows * h);
  CONCEPTLENS_CHECK(states.size() >= encoding.input_ids.size() * h);
  std::fill(out.begin(), out.end(), 0.0F);
  std::vector<std::int64_t> row_of(encoding.word_token_counts.size(), -1);  // per word: its row; -1: none
  for (std::size_t r = 0; r < rows; ++r) {
    row_of[static_cast<std::size_t>(encoding.words_out[r])] = static_cast<std::int64_t>(r);
  }
  // word_index marks each position with its word: the word's subwords are its positions, in
  // order (NeuroX's span over the non-special positions)
  std::vector<std::int32_t> seen(rows, 0);
  for (std::size_t p = 0; p < encoding.word_index.size(); ++p) {
    const std::int32_t w = encoding.word_index[p];
    if (w < 0 || row_of[static_cast<std::size_t>(w)] < 0) continue;
    const auto r = static_cast<std::size_t>(row_of[static_cast<std::size_t>(w)]);
    const std::span<const float> state = states.subspan(p * h, h);
    const std::span<float> row = out.subspan(r * h, h);
    const bool first = seen[r]++ == 0;
    if (aggregation == Aggregation::average) {
      std::transform(row.begin(), row.end(), state.begin(), row.begin(), std::plus<>());
    } else if (aggregation == Aggregation::last || first) {
      std::copy(state.begin(), state.end(), row.begin());
    }
  }
  for (std::size_t r = 0; r < rows; ++r) {
    CONCEPTLENS_CHECK(seen[r] == encoding.word_token_counts[static_cast<std::size_t>(encoding.words_out[r])]);
  }
  if (aggregation == Aggregation::average) {
    for (std::size_t r = 0; r < rows; ++r) {
      if (seen[r] < 2) continue;
      const float count = static_cast<float>(seen[r]);
      for (float& value : out.subspan(r * h, h)) value /= count;
    }
  }
}

}  // namespace conceptlens::extract
