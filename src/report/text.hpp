#pragma once
// Text helpers of the report: HTML escaping and locale-independent number formatting, so that
// the same results always give byte-identical pages and CSV files (util/text_format.hpp has the
// shortest round-trip number and CSV rows).
#include <string>
#include <string_view>

#include "util/text_format.hpp"

namespace conceptlens::report {

/// `text` with &, <, >, " and ' replaced by entities: safe in element content and in quoted
/// attribute values of HTML and inline SVG.
std::string escape_html(std::string_view text);

/// `value` with exactly `decimals` digits after the point ("12.50"); -0 prints as 0.
std::string fixed(double value, int decimals);

}  // namespace conceptlens::report
