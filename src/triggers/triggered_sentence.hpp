#pragma once
// Where a trigger goes: before a sentence's first word or after its last (for a sentence pair,
// into its hypothesis: the premise stays as it is).
#include <string>
#include <string_view>

namespace conceptlens::triggers {

enum class Position { prepend, append };

/// "prepend" or "append".
std::string_view position_name(Position position);
/// The inverse; InputError naming the choices otherwise.
Position parse_position(std::string_view name);

/// `sentence` (words separated by single spaces) with `trigger` (the same) added at `position`.
std::string triggered_sentence(std::string_view sentence, std::string_view trigger, Position position);

}  // namespace conceptlens::triggers
