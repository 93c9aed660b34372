#pragma once
// Two tiers of errors (see README "Errors"):
//  - InputError / OutputError: bad user input or an output that cannot be written. Thrown with a
//    message that names the file (and dataset, line, ...), what was expected and what was found.
//    The CLI prints the message once and exits with the error's code.
//  - Broken internal invariants are not exceptions: CONCEPTLENS_CHECK aborts with the location.
#include <stdexcept>
#include <string>

namespace conceptlens {

/// Exit codes of the `conceptlens` executable, one per kind of failure.
enum class ExitCode : int {
  ok = 0,
  usage = 1,         ///< bad command line (CLI11 prints the usage)
  bad_input = 2,     ///< an input file or value is invalid
  bad_output = 3,    ///< an output cannot be written
  internal = 70,     ///< anything unexpected (EX_SOFTWARE)
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

/// Invalid input: a file's content, a value out of range, a mismatch between inputs.
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(ExitCode::bad_input, message) {}
};

/// An output that cannot be created, written or renamed into place.
class OutputError : public Error {
 public:
  explicit OutputError(const std::string& message) : Error(ExitCode::bad_output, message) {}
};

[[noreturn]] void check_failed(const char* condition, const char* file, int line);

}  // namespace conceptlens

/// Internal invariant (never user input): aborts with the location in every build type.
#define CONCEPTLENS_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::conceptlens::check_failed(#cond, __FILE__, __LINE__))
