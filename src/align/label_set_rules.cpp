#include "align/label_set_rules.hpp"

#include <array>
#include <utility>

#include "util/error.hpp"

namespace conceptlens::align {

std::string_view preprocess_name(Preprocess preprocess) {
  switch (preprocess) {
    case Preprocess::none: return "none";
    case Preprocess::other_unk: return "other_unk";
    case Preprocess::casing: return "casing";
  }
  return "?";
}

Preprocess parse_preprocess(std::string_view name) {
  for (const Preprocess p : {Preprocess::none, Preprocess::other_unk, Preprocess::casing}) {
    if (name == preprocess_name(p)) return p;
  }
  throw InputError("unknown label preprocessing '" + std::string(name) + "': expected none, other_unk or casing");
}

std::string preprocess_label(Preprocess preprocess, std::string_view label) {
  switch (preprocess) {
    case Preprocess::none: break;
    case Preprocess::other_unk: return label == "O" ? "O_UNK" : std::string(label);
    case Preprocess::casing:
      if (label == "MC") return "title_case";
      if (label == "UP") return "upper_case";
      return "lowercase_UNK";
  }
  return std::string(label);
}

LabelSetRules conceptx_rules(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, LabelSetRules>, 5> kSets = {{
      {"Chunking", {Preprocess::other_unk, false, false}},
      {"NE", {Preprocess::other_unk, false, false}},
      {"Casing", {Preprocess::casing, false, false}},
      {"WORDNET", {Preprocess::none, true, false}},
      {"LIWC", {Preprocess::none, true, false}},
  }};
  for (const auto& [set, rules] : kSets) {
    if (name == set) return rules;
  }
  return {};
}

}  // namespace conceptlens::align
