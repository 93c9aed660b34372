#include "tokenize/neurox_alignment.hpp"

#include <algorithm>
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

  // the positions NeuroX keeps (not special), and the word each belongs to
  std::vector<std::int32_t> kept_positions;
  for (std::size_t i = 0; i < result.input_ids.size(); ++i) {
    if (!is_special(result.input_ids[i])) kept_positions.push_back(static_cast<std::int32_t>(i));
  }
  const auto n = static_cast<std::int64_t>(kept_positions.size());
  result.word_index.assign(result.input_ids.size(), -1);
  result.word_first_token.assign(num_words, -1);
  std::int64_t counter = 0;
  bool emitting = true;
  for (std::size_t w = 0; w < num_words; ++w) {
    const std::int64_t c = result.word_token_counts[w];
    if (emitting && ((c != 0 && counter >= n) || counter + c > n)) emitting = false;
    if (emitting) ++result.num_words_out;
    for (std::int64_t k = counter; k < std::min(counter + c, n); ++k) {
      result.word_index[static_cast<std::size_t>(kept_positions[static_cast<std::size_t>(k)])] =
          static_cast<std::int32_t>(w);
    }
    if (c != 0 && counter < n) result.word_first_token[w] = kept_positions[static_cast<std::size_t>(counter)];
    counter += c;
  }
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

SentenceEncoding ContextEncoder::encode_sentence(std::string_view sentence) const {
  const std::vector<std::int64_t> content = encode_(sentence);
  const std::vector<std::string_view> words = split_words(sentence);
  std::vector<std::int32_t> counts;
  counts.reserve(words.size());
  for (std::size_t w = 0; w < words.size(); ++w) counts.push_back(count(word_context(words, w)));
  return align_words(std::move(counts), content, prefix_, suffix_, model_max_length_, is_special_);
}

}  // namespace conceptlens::tokenize
