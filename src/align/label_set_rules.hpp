#pragma once
// ConceptX's per-set alignment settings (hsajjad/ConceptX scripts/align_with_auto_tags.py,
// CONFIGURATION; align_with_single_auto_tag.py for N/A), which change what counts as unknown:
//  - preprocess, applied to every label (each part of "A|||B") before anything is counted:
//      none;
//      other_unk (`other_unk_preprocess`, the Chunking and NE sets): "O" becomes "O_UNK", so a
//        concept of words outside every chunk or entity is unknown, not aligned;
//      casing (`casing_preprocess`, the Casing set): "MC" becomes "title_case", "UP"
//        "upper_case", any other label "lowercase_UNK";
//  - ignore_unks (WORDNET, LIWC): after the max_unk test, labels ending in "_UNK" are removed and
//    words left without a label are not counted, so the share is over the words that have one;
//  - na_unk: a label "N/A" counts toward the UNK share of the max_unk test
//    (align_with_single_auto_tag.py; ConceptX's other rules treat "N/A" as an ordinary label).
// The defaults follow the set's name as ConceptX looks it up (exact match; `__fallback__` —
// none, false, false — for any other name).
#include <string>
#include <string_view>

namespace conceptlens::align {

/// ConceptX's unknown labels: those ending in "_UNK" (the max_unk test, ignore_unks).
inline bool is_unk(std::string_view label) { return label.ends_with("_UNK"); }
/// The labels a concept may be aligned with: those without "_UNK" anywhere.
inline bool can_align(std::string_view label) { return label.find("_UNK") == std::string_view::npos; }

enum class Preprocess { none, other_unk, casing };

/// "none", "other_unk" or "casing".
std::string_view preprocess_name(Preprocess preprocess);
/// The inverse of preprocess_name; InputError naming the choices otherwise.
Preprocess parse_preprocess(std::string_view name);

/// One label after `preprocess` (a single label, not a "|||" string).
std::string preprocess_label(Preprocess preprocess, std::string_view label);

struct LabelSetRules {
  Preprocess preprocess = Preprocess::none;
  bool ignore_unks = false;  ///< share over the words with a label that is not UNK
  bool na_unk = false;       ///< "N/A" counts as UNK in the max_unk test

  friend bool operator==(const LabelSetRules&, const LabelSetRules&) = default;
};

/// ConceptX's settings for the concept set named `name` (Chunking, NE: other_unk; Casing:
/// casing; WORDNET, LIWC: ignore_unks; every other name: none of them).
LabelSetRules conceptx_rules(std::string_view name);

}  // namespace conceptlens::align
