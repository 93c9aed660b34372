#include "util/text_format.hpp"

#include <array>
#include <charconv>

#include "util/error.hpp"

namespace conceptlens {

std::string shortest(double value) {
  std::array<char, 32> text{};
  const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value);
  CONCEPTLENS_CHECK(error == std::errc());
  return std::string(text.data(), end);
}

std::string csv_row(std::initializer_list<std::string> fields) {
  std::string row;
  for (const std::string& field : fields) {
    if (!row.empty()) row += ',';
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
      row += field;
      continue;
    }
    row += '"';
    for (const char c : field) row += c == '"' ? std::string("\"\"") : std::string(1, c);
    row += '"';
  }
  return row + "\n";
}

}  // namespace conceptlens
