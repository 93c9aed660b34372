#pragma once
// NeuroX's word vectors from a sentence's hidden states (fixtures/hf/README.md §4.2 steps 5-6):
// special positions dropped, each emitted word's vector is its first subword's, its last
// subword's (the default) or their float32 mean; a word without subwords gets zeros.
#include <cstdint>
#include <span>
#include <string>

#include "tokenize/tokenizer.hpp"

namespace conceptlens::extract {

enum class Aggregation { last, first, average };

/// "last", "first", "average" -> the aggregation; InputError otherwise.
Aggregation parse_aggregation(const std::string& name);
const char* aggregation_name(Aggregation aggregation);

/// Writes the vectors of the words encoding.words_out of one sentence into `out` (a row of
/// `hidden` values each, in that order) from its hidden state `states` (rows = positions of
/// encoding.input_ids, at least input_ids.size() of them, `hidden` values each).
void word_vectors(const tokenize::SentenceEncoding& encoding, Aggregation aggregation,
                  std::span<const float> states, std::int64_t hidden, std::span<float> out);

}  // namespace conceptlens::extract
