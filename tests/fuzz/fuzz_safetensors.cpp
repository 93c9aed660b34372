// Fuzz target: safetensors files (store/safetensors.hpp), the weights of a Hugging Face
// checkpoint as `conceptlens extract` maps them: an 8-byte header length, the JSON header (dtype,
// shape and data_offsets of every tensor, __metadata__), the data. The input is the file; every
// tensor the reader accepts is read whole.
#include "fuzz_support.hpp"
#include "store/safetensors.hpp"

using namespace conceptlens;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::filesystem::path path = fuzz::write_file("model.safetensors", fuzz::text_of(data, size));
  fuzz::accepted([&] {
    const store::SafetensorsFile file = store::SafetensorsFile::open(path);
    for (const store::SafetensorsTensor& tensor : file.tensors()) {
      if (file.find(tensor.name) != &tensor) fuzz::fail("find() does not return the tensor '" + tensor.name + "'");
      const std::span<const std::byte> bytes = file.bytes(tensor);
      if (bytes.size() != tensor.numel() * store::dtype_size(tensor.dtype)) {
        fuzz::fail("tensor '" + tensor.name + "' has bytes that do not match its dtype and shape");
      }
      volatile unsigned sum = 0;  // touch every byte: a span outside the mapping faults here
      for (const std::byte b : bytes) sum = sum + static_cast<unsigned>(b);
    }
  });
  return 0;
}
