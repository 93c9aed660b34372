#include "tokenize/neurox_alignment.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace conceptlens::tokenize {

std::int32_t WordContext::count(std::size_t non_special_ids) const {
  const auto dropped = static_cast<std::size_t>(drop_front + drop_back);
  return non_special_ids > dropped ? static_cast<std::int32_t>(non_special_ids - dropped) : 0;
}

WordContext word_context(std::span<const std::string_view> words, std::size_t index) {
  const std::string word(words[index]);
  if (index == 0) return {word + " a", 0, 1};
  if (index + 1 == words.size()) return {"a " + word, 1, 0};
  return {"a " + word + " a", 1, 1};
}

namespace {

/// NeuroX's walk (FIXTURES.md §4.2 step 6) of words [first_word, first_word + count) over the
/// positions of result.input_ids in [begin, end) that are not special: each word takes the next
/// word_token_counts of them; it is emitted while all its subwords are there.
void walk_words(SentenceEncoding& result, std::size_t first_word, std::size_t count, std::size_t begin,
                std::size_t end, const std::function<bool(std::int64_t)>& is_special) {
  std::vector<std::int32_t> kept_positions;
  for (std::size_t i = begin; i < end; ++i) {
    if (!is_special(result.input_ids[i])) kept_positions.push_back(static_cast<std::int32_t>(i));
  }
  const auto n = static_cast<std::int64_t>(kept_positions.size());
  std::int64_t counter = 0;
  bool emitting = true;
  for (std::size_t w = first_word; w < first_word + count; ++w) {
    const std::int64_t c = result.word_token_counts[w];
    if (emitting && ((c != 0 && counter >= n) || counter + c > n)) emitting = false;
    if (emitting) result.words_out.push_back(static_cast<std::int32_t>(w));
    for (std::int64_t k = counter; k < std::min(counter + c, n); ++k) {
      result.word_index[static_cast<std::size_t>(kept_positions[static_cast<std::size_t>(k)])] =
          static_cast<std::int32_t>(w);
    }
    if (c != 0 && counter < n) result.word_first_token[w] = kept_positions[static_cast<std::size_t>(counter)];
    counter += c;
  }
}

}  // namespace

SentenceEncoding align_words(std::vector<std::int32_t> word_token_counts, std::span<const std::int64_t> content_ids,
                             std::span<const std::int64_t> prefix, std::span<const std::int64_t> suffix,
                             std::int64_t model_max_length, const std::function<bool(std::int64_t)>& is_special) {
  SentenceEncoding result;
  result.word_token_counts = std::move(word_token_counts);
  const std::size_t num_words = result.word_token_counts.size();

  // truncation (longest_first on one sequence): ids go from the end of the content; when all
  // of them would have to go, transformers logs an error and keeps everything
  const auto content_size = static_cast<std::int64_t>(content_ids.size());
  result.num_tokens_untruncated = content_size + static_cast<std::int64_t>(prefix.size() + suffix.size());
  std::int64_t keep = content_size;
  if (result.num_tokens_untruncated > model_max_length) {
    const std::int64_t remove = result.num_tokens_untruncated - model_max_length;
    if (content_size > remove) {
      keep = content_size - remove;
      result.truncated = true;
    }
  }
  result.input_ids.reserve(prefix.size() + static_cast<std::size_t>(keep) + suffix.size());
  result.input_ids.insert(result.input_ids.end(), prefix.begin(), prefix.end());
  result.input_ids.insert(result.input_ids.end(), content_ids.begin(), content_ids.begin() + keep);
  result.input_ids.insert(result.input_ids.end(), suffix.begin(), suffix.end());

  result.word_index.assign(result.input_ids.size(), -1);
  result.word_first_token.assign(num_words, -1);
  walk_words(result, 0, num_words, 0, result.input_ids.size(), is_special);
  return result;
}

SentenceEncoding align_pair_words(const SegmentIds& first, const SegmentIds& second, const PairTemplate& pair,
                                  std::int64_t model_max_length, const std::function<bool(std::int64_t)>& is_special) {
  SentenceEncoding result;
  const auto len_a = static_cast<std::int64_t>(first.content_ids.size());
  const auto len_b = static_cast<std::int64_t>(second.content_ids.size());
  const auto specials = static_cast<std::int64_t>(pair.prefix.size() + pair.middle.size() + pair.suffix.size());
  result.num_tokens_untruncated = len_a + len_b + specials;
  // longest_first (transformers 4.31 truncate_sequences): ids[:-n] keeps max(0, len - n)
  std::int64_t keep_a = len_a;
  std::int64_t keep_b = len_b;
  if (result.num_tokens_untruncated > model_max_length) {
    const std::int64_t remove = result.num_tokens_untruncated - model_max_length;
    const std::int64_t first_remove = std::min(std::abs(len_b - len_a), remove);
    const std::int64_t second_remove = remove - first_remove;
    const std::int64_t from_a = len_a > len_b ? first_remove + second_remove / 2 : second_remove / 2;
    const std::int64_t from_b = remove - from_a;
    keep_a = std::max<std::int64_t>(0, len_a - from_a);
    keep_b = std::max<std::int64_t>(0, len_b - from_b);
    result.truncated = true;
  }
  std::vector<std::int64_t>& ids = result.input_ids;
  ids.insert(ids.end(), pair.prefix.begin(), pair.prefix.end());
  ids.insert(ids.end(), first.content_ids.begin(), first.content_ids.begin() + keep_a);
  ids.insert(ids.end(), pair.middle.begin(), pair.middle.end());
  const std::size_t second_begin = ids.size();
  ids.insert(ids.end(), second.content_ids.begin(), second.content_ids.begin() + keep_b);
  ids.insert(ids.end(), pair.suffix.begin(), pair.suffix.end());
  result.token_type_ids.assign(ids.size(), 0);
  std::fill(result.token_type_ids.begin() + static_cast<std::ptrdiff_t>(second_begin), result.token_type_ids.end(),
            pair.second_type);

  result.word_token_counts = first.word_token_counts;
  result.word_token_counts.insert(result.word_token_counts.end(), second.word_token_counts.begin(),
                                  second.word_token_counts.end());
  result.word_index.assign(ids.size(), -1);
  result.word_first_token.assign(result.word_token_counts.size(), -1);
  const std::size_t first_begin = pair.prefix.size();
  walk_words(result, 0, first.word_token_counts.size(), first_begin, first_begin + static_cast<std::size_t>(keep_a),
             is_special);
  walk_words(result, first.word_token_counts.size(), second.word_token_counts.size(), second_begin,
             second_begin + static_cast<std::size_t>(keep_b), is_special);
  return result;
}

ContextEncoder::ContextEncoder(Encode encode, std::vector<std::int64_t> prefix, std::vector<std::int64_t> suffix,
                               std::int64_t model_max_length, IsSpecial is_special)
    : encode_(std::move(encode)),
      prefix_(std::move(prefix)),
      suffix_(std::move(suffix)),
      model_max_length_(model_max_length),
      is_special_(std::move(is_special)) {}

std::int32_t ContextEncoder::count(const WordContext& context) const {
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(context.text); it != cache_.end()) return it->second;
  }
  // tokenizer.encode(context) adds the special tokens; NeuroX removes its special ids
  std::size_t non_special = 0;
  const auto tally = [&](std::span<const std::int64_t> ids) {
    for (const std::int64_t id : ids) non_special += is_special_(id) ? 0 : 1;
  };
  tally(prefix_);
  tally(encode_(context.text));
  tally(suffix_);
  const std::int32_t result = context.count(non_special);
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCachedCounts) cache_.clear();
  cache_.emplace(context.text, result);
  return result;
}

SegmentIds ContextEncoder::segment(std::string_view text) const {
  SegmentIds segment;
  segment.content_ids = encode_(text);
  const std::vector<std::string_view> words = split_words(text);
  segment.word_token_counts.reserve(words.size());
  for (std::size_t w = 0; w < words.size(); ++w) segment.word_token_counts.push_back(count(word_context(words, w)));
  return segment;
}

SentenceEncoding ContextEncoder::encode_sentence(std::string_view sentence) const {
  SegmentIds whole = segment(sentence);
  return align_words(std::move(whole.word_token_counts), whole.content_ids, prefix_, suffix_, model_max_length_,
                     is_special_);
}

SentenceEncoding ContextEncoder::encode_pair(std::string_view first, std::string_view second,
                                             const PairTemplate& pair) const {
  return align_pair_words(segment(first), segment(second), pair, model_max_length_, is_special_);
}

}  // namespace conceptlens::tokenize
