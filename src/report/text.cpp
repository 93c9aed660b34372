#include "report/text.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "util/error.hpp"

namespace conceptlens::report {

std::string escape_html(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string fixed(double value, int decimals) {
  CONCEPTLENS_CHECK(std::isfinite(value) && decimals >= 0 && decimals <= 12);
  std::array<char, 64> text{};
  auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed, decimals);
  CONCEPTLENS_CHECK(error == std::errc());
  std::string result(text.data(), end);
  // "-0.00" (a tiny negative value or -0) reads as 0
  if (result.front() == '-' && result.find_first_not_of("-0.") == std::string::npos) result.erase(0, 1);
  return result;
}

}  // namespace conceptlens::report
