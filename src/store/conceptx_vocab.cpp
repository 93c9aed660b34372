#include "store/conceptx_vocab.hpp"

#include <charconv>
#include <limits>

#include "util/error.hpp"

namespace conceptlens::store {

namespace {
const std::string kSeparator = "|||";

template <class Int>
bool parse_int(const std::string& text, Int& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && value >= 0;
}
}  // namespace

PointKey parse_point_key(const std::string& key, const std::filesystem::path& file,
                         std::size_t entry) {
  auto malformed = [&](const std::string& why) {
    return InputError(file.string() + ": entry " + std::to_string(entry) + " '" + key +
                      "' is not a ConceptX point key (expected word|||k|||sentence|||position): " +
                      why);
  };
  std::string fields[3];
  std::size_t end = key.size();
  for (int f = 2; f >= 0; --f) {
    const auto sep =
        end < kSeparator.size() ? std::string::npos : key.rfind(kSeparator, end - kSeparator.size());
    if (sep == std::string::npos) {
      throw malformed("it has fewer than four '|||'-separated fields");
    }
    fields[f] = key.substr(sep + kSeparator.size(), end - sep - kSeparator.size());
    end = sep;
  }
  PointKey parsed;
  parsed.word = key.substr(0, end);
  if (!parse_int(fields[0], parsed.occurrence)) throw malformed("'" + fields[0] + "' is not a count");
  if (!parse_int(fields[1], parsed.sentence)) throw malformed("'" + fields[1] + "' is not a sentence index");
  if (!parse_int(fields[2], parsed.position)) throw malformed("'" + fields[2] + "' is not a word position");
  return parsed;
}

}  // namespace conceptlens::store
