#include "tokenize/special_tokens.hpp"

#include <algorithm>
#include <utility>

#include "tokenize/unicode.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace conceptlens::tokenize {

SpecialTokens::SpecialTokens(const std::vector<const hf::SpecialToken*>& extended) {
  for (const hf::SpecialToken* token : extended) {
    if (token->content.empty()) continue;
    std::u32string text;
    if (decode_utf8(token->content, text) != std::string_view::npos) {
      throw InputError("special token " + printable(token->content) + " is not valid UTF-8");
    }
    auto it = std::find_if(sorted_.begin(), sorted_.end(), [&](const SpecialText& s) { return s.text == text; });
    if (it == sorted_.end()) {
      sorted_.push_back({std::move(text), true, true});
      it = sorted_.end() - 1;
      contents_.push_back(token->content);
    }
    if (token->added_token) {
      it->lstrip = token->lstrip;
      it->rstrip = token->rstrip;
    }
  }
  std::sort(sorted_.begin(), sorted_.end(), [](const SpecialText& a, const SpecialText& b) { return a.text < b.text; });
}

std::size_t SpecialTokens::match_at(std::u32string_view text, std::size_t pos, bool first_sorted) const {
  std::size_t best = 0;
  for (const SpecialText& special : sorted_) {
    if (text.compare(pos, special.text.size(), special.text) != 0) continue;
    if (first_sorted) return special.text.size();
    best = std::max(best, special.text.size());
  }
  return best;
}

std::vector<TextSegment> SpecialTokens::split(std::u32string_view text) const {
  std::vector<TextSegment> segments;
  std::size_t start = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = match_at(text, pos, false);
    if (length == 0) {
      ++pos;
      continue;
    }
    if (pos > start) segments.push_back({text.substr(start, pos - start)});
    const std::u32string_view matched = text.substr(pos, length);
    const auto* special =
        &*std::find_if(sorted_.begin(), sorted_.end(), [&](const SpecialText& s) { return s.text == matched; });
    segments.push_back({matched, special});
    pos += length;
    start = pos;
  }
  if (start < text.size()) segments.push_back({text.substr(start)});
  // the whitespace around a special token goes, as its flags say
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const SpecialText* special = segments[i].special;
    if (special == nullptr) continue;
    if (special->rstrip && i + 1 < segments.size()) segments[i + 1].text = python_lstrip(segments[i + 1].text);
    if (special->lstrip && i > 0) segments[i - 1].text = python_rstrip(segments[i - 1].text);
  }
  std::erase_if(segments, [](const TextSegment& s) { return s.text.empty(); });
  return segments;
}

}  // namespace conceptlens::tokenize
