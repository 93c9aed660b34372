#pragma once
// The Unicode data transformers 4.31's slow tokenizers (BERT's BasicTokenizer, ALBERT's
// preprocess_text, GPT-2's pre-tokenizer) take from Python's `unicodedata` and `str` methods
// (Unicode 14.0.0, Python 3.11: transformers 4.31's environment). The tables are generated into
// unicode_tables.cpp by make_unicode_tables.py, which checks them against Python first; the
// algorithms that use them (NFD, NFC, NFKD, lower-casing, character classes) are in unicode.cpp.
// Every table is sorted by code point, for binary search.
#include <cstddef>
#include <cstdint>

namespace conceptlens::tokenize::unicode_data {

/// The character classes the tokenizer needs, from the general category.
enum CharClass : std::uint8_t {
  kOther = 0,
  kControl = 1,          ///< C*: Cc, Cf, Cs, Co and Cn (unassigned)
  kSpaceSeparator = 2,   ///< Zs
  kPunctuation = 3,      ///< P*
  kNonspacingMark = 4,   ///< Mn
  kLetter = 5,           ///< L*: Lu, Ll, Lt, Lm, Lo (the \p{L} of GPT-2's pre-tokenizer)
  kNumber = 6,           ///< N*: Nd, Nl, No (its \p{N})
};

/// The class of the code points from `first` up to the next run's `first`.
struct CategoryRun {
  char32_t first;
  CharClass char_class;
};

/// str.lower(): code points first + k*stride (k < count) map to themselves + delta.
struct LowerRun {
  char32_t first;
  std::uint16_t count;
  std::uint8_t stride;
  std::int32_t delta;
};

/// A code point that maps to pool[offset, offset + length).
struct Expansion {
  char32_t code_point;
  std::uint16_t offset;
  std::uint8_t length;
};

/// Canonical combining class `ccc` for first..last (inclusive); absent code points have 0.
struct CombiningRun {
  char32_t first;
  char32_t last;
  std::uint8_t ccc;
};

/// A primary composite: <first, second> composes to `composite` (Hangul is algorithmic).
struct Composition {
  char32_t first;
  char32_t second;
  char32_t composite;
};

/// The code points first..last (inclusive).
struct CodePointRange {
  char32_t first;
  char32_t last;
};

/// What str.lower()'s Final_Sigma rule sees of a code point.
enum CaseKind : std::uint8_t {
  kUncased = 0,
  kCased = 1,          ///< Cased and not Case_Ignorable
  kCaseIgnorable = 2,  ///< Case_Ignorable (skipped, cased or not)
};

/// The case kind of the code points from `first` up to the next run's `first`.
struct CaseRun {
  char32_t first;
  CaseKind kind;
};

extern const char* const kUnicodeVersion;
extern const CategoryRun kCategoryRuns[];
extern const std::size_t kCategoryRunCount;
extern const char32_t kPythonSpaces[];  ///< str.isspace() is true
extern const std::size_t kPythonSpaceCount;
extern const LowerRun kLowerRuns[];
extern const std::size_t kLowerRunCount;
extern const Expansion kLowerMulti[];  ///< one-to-many lower(), into kLowerMultiPool
extern const std::size_t kLowerMultiCount;
extern const char32_t kLowerMultiPool[];
extern const Expansion kDecompositions[];  ///< full canonical decompositions, into the pool
extern const std::size_t kDecompositionCount;
extern const char32_t kDecompositionPool[];
extern const std::size_t kDecompositionPoolSize;
extern const CombiningRun kCombiningRuns[];
extern const std::size_t kCombiningRunCount;
extern const Composition kCompositions[];  ///< sorted by (first, second)
extern const std::size_t kCompositionCount;
extern const Expansion kCompatDecompositions[];  ///< full NFKD where it differs from NFD
extern const std::size_t kCompatDecompositionCount;
extern const char32_t kCompatDecompositionPool[];
extern const CodePointRange kDigitRanges[];  ///< str.isdigit() is true
extern const std::size_t kDigitRangeCount;
extern const CaseRun kCaseRuns[];  ///< over U+0000..U+10FFFF
extern const std::size_t kCaseRunCount;

}  // namespace conceptlens::tokenize::unicode_data
