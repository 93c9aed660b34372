// Fuzz target: .npy files (store/npy.hpp), as ConceptX's processed-point.npy ([n, d] float32 or
// float64) and processed-vocab.npy ('<U'/'|S' strings, each a point key word|||k|||sent|||tok,
// store/conceptx_vocab.hpp) reach `conceptlens cluster --points/--vocab`, and int32/int64 label
// arrays. The input is the file; all three readers try it.
#include <cmath>
#include <variant>

#include "fuzz_support.hpp"
#include "store/conceptx_vocab.hpp"
#include "store/npy.hpp"

using namespace conceptlens;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::filesystem::path path = fuzz::write_file("input.npy", fuzz::text_of(data, size));
  fuzz::accepted([&] {
    const store::NpyMatrix matrix = store::read_npy_matrix(path);
    std::visit(
        [&](const auto& values) {
          if (matrix.rows < 0 || matrix.cols < 0 ||
              values.size() != static_cast<std::size_t>(matrix.rows) * static_cast<std::size_t>(matrix.cols)) {
            fuzz::fail("a matrix whose values do not match its shape");
          }
          for (const auto value : values) {
            if (!std::isfinite(value)) fuzz::fail("a matrix with a value that is not finite");
          }
        },
        matrix.values);
  });
  fuzz::accepted([&] {
    const std::vector<std::string> keys = store::read_npy_strings(path);
    for (std::size_t i = 0; i < keys.size(); ++i) store::parse_point_key(keys[i], path, i);
  });
  fuzz::accepted([&] { store::read_npy_integers(path); });
  return 0;
}
