#include "triggers/triggered_sentence.hpp"

#include "util/error.hpp"

namespace conceptlens::triggers {

std::string_view position_name(Position position) { return position == Position::prepend ? "prepend" : "append"; }

Position parse_position(std::string_view name) {
  if (name == "prepend") return Position::prepend;
  if (name == "append") return Position::append;
  throw InputError("unknown trigger position '" + std::string(name) + "': expected prepend or append");
}

std::string triggered_sentence(std::string_view sentence, std::string_view trigger, Position position) {
  if (position == Position::prepend) return std::string(trigger) + " " + std::string(sentence);
  return std::string(sentence) + " " + std::string(trigger);
}

}  // namespace conceptlens::triggers
