// Fuzz target: the ACT.h5 reader (store/activations_file.hpp), as `conceptlens cluster
// --activations`, `align` and `sweep` open activation files: the layout checked when the file
// is opened, rows read from every layer, the predicted classes. The input is an HDF5 recipe
// (h5_recipe.hpp): the fuzzer varies datasets, shapes, types and attributes, not HDF5's bytes.
#include <algorithm>

#include "fuzz_support.hpp"
#include "h5_recipe.hpp"
#include "store/activations_file.hpp"

using namespace conceptlens;

namespace {

void check(const store::ActivationsInfo& info) {
  const auto words = static_cast<std::size_t>(info.words);
  if (info.words < 0 || info.hidden < 1 || info.layers.empty() || info.layer_dtypes.size() != info.layers.size()) {
    fuzz::fail("accepted without words, hidden size or layers");
  }
  if (!std::is_sorted(info.layers.begin(), info.layers.end()) || info.layers.front() < 0 ||
      info.layers.back() > info.num_layers) {
    fuzz::fail("layers out of order or outside [0, num_layers]");
  }
  if (info.sentence_offsets.empty() || info.sentence_offsets.front() != 0 || info.sentence_offsets.back() != info.words) {
    fuzz::fail("sentence offsets that do not run from 0 to the words");
  }
  if (info.sentence.size() != words || info.position.size() != words || info.word_text.size() != words) {
    fuzz::fail("per-word columns of another length than the rows");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::filesystem::path path = fuzz::scratch() / "act.h5";
  fuzz::write_h5_recipe(fuzz::text_of(data, size), path);
  fuzz::accepted([&] {
    const store::ActivationsFile file = store::ActivationsFile::open(path);
    const store::ActivationsInfo& info = file.info();
    check(info);
    const auto hidden = static_cast<std::size_t>(info.hidden);
    const std::int64_t rows = std::min<std::int64_t>(info.words, 4);
    std::vector<float> out(static_cast<std::size_t>(rows) * hidden);
    for (const std::int64_t layer : info.layers) {
      file.read_rows(layer, info.words - rows, rows, out);
      const std::vector<std::int64_t> selected = {0, info.words - 1};
      if (info.words > 0) file.read_selected_rows(layer, selected, std::span<float>(out.data(), 2 * hidden));
    }
  });
  fuzz::accepted([&] { store::read_predicted_classes(path); });
  return 0;
}
