#pragma once
// Locale-independent text for output files, so that the same results always give byte-identical
// JSON, CSV and HTML: numbers that read back exactly, and CSV rows.
#include <initializer_list>
#include <string>

namespace conceptlens {

/// The shortest text that reads back as the same double ("0.45", "1", "0.1234").
std::string shortest(double value);

/// One CSV line (ended by '\n'): the fields separated by commas, a field quoted (its quotes
/// doubled) when it holds a comma, a quote or a line break.
std::string csv_row(std::initializer_list<std::string> fields);

}  // namespace conceptlens
