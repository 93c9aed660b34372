// LibTorch's matrix-multiply throughput on this machine: at::linear(x, w, b) for the products a
// BERT-base encoder layer makes (fused QKV 768->2304, attention output 768->768, intermediate
// 768->3072, output 3072->768), with M = tokens per batch. Prints GFLOP/s per shape (median of
// the repetitions after warm-up) and one machine-readable line "gemm_gflops X": the FLOP-weighted
// aggregate, i.e. the FLOPs of one pass over the four shapes / the sum of their median times.
//
//   conceptlens_bench_gemm [--threads T] [--tokens M] [--hidden H] [--intermediate I]
//                          [--repeats R] [--warmup W]
//
// at::set_num_threads(T) and openblas_set_num_threads(T) are both set: LibTorch's CPU matmul
// goes through OpenBLAS here, as it does in `conceptlens extract`. OPENBLAS_CORETYPE is read
// by OpenBLAS itself from the environment (see DESIGN.md, "Environment facts").

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Shape {
  const char* name;
  std::int64_t in;
  std::int64_t out;
};

std::int64_t parse_int(const char* flag, const char* text) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value <= 0) {
    std::fprintf(stderr, "conceptlens_bench_gemm: %s needs a positive integer, got '%s'\n", flag, text);
    std::exit(2);
  }
  return value;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t threads = 1;
  std::int64_t tokens = 2048;
  std::int64_t hidden = 768;
  std::int64_t intermediate = 3072;
  std::int64_t repeats = 7;
  std::int64_t warmup = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf(
          "usage: conceptlens_bench_gemm [--threads T=1] [--tokens M=2048] [--hidden H=768]\n"
          "                              [--intermediate I=3072] [--repeats R=7] [--warmup W=2]\n");
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "conceptlens_bench_gemm: %s needs a value\n", flag.c_str());
      return 2;
    }
    const char* value = argv[++i];
    if (flag == "--threads") threads = parse_int("--threads", value);
    else if (flag == "--tokens") tokens = parse_int("--tokens", value);
    else if (flag == "--hidden") hidden = parse_int("--hidden", value);
    else if (flag == "--intermediate") intermediate = parse_int("--intermediate", value);
    else if (flag == "--repeats") repeats = parse_int("--repeats", value);
    else if (flag == "--warmup") warmup = std::max<std::int64_t>(0, std::strtoll(value, nullptr, 10));
    else {
      std::fprintf(stderr, "conceptlens_bench_gemm: unknown option %s\n", flag.c_str());
      return 2;
    }
  }

  at::set_num_threads(static_cast<int>(threads));
  openblas_set_num_threads(static_cast<int>(threads));
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("# at::linear throughput, float32: M=%lld tokens, threads=%lld (at::get_num_threads()=%d), "
              "OPENBLAS_CORETYPE=%s, median of %lld after %lld warm-up\n",
              static_cast<long long>(tokens), static_cast<long long>(threads), at::get_num_threads(),
              coretype != nullptr ? coretype : "<unset>", static_cast<long long>(repeats),
              static_cast<long long>(warmup));

  const std::vector<Shape> shapes = {{"qkv", hidden, 3 * hidden},
                                     {"attention_output", hidden, hidden},
                                     {"intermediate", hidden, intermediate},
                                     {"output", intermediate, hidden}};
  at::manual_seed(0);
  c10::InferenceMode inference;
  double total_flops = 0.0;
  double total_seconds = 0.0;
  double checksum = 0.0;
  for (const Shape& shape : shapes) {
    const at::Tensor x = at::randn({tokens, shape.in}, at::kFloat);
    const at::Tensor w = at::randn({shape.out, shape.in}, at::kFloat).mul_(0.02);
    const at::Tensor b = at::zeros({shape.out}, at::kFloat);
    const double flops = 2.0 * static_cast<double>(tokens) * static_cast<double>(shape.in) *
                         static_cast<double>(shape.out);
    std::vector<double> seconds;
    for (std::int64_t r = 0; r < warmup + repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const at::Tensor y = at::linear(x, w, b);
      const auto stop = std::chrono::steady_clock::now();
      checksum += static_cast<double>(y[0][0].item<float>());
      if (r >= warmup) seconds.push_back(std::chrono::duration<double>(stop - start).count());
    }
    const double t = median(seconds);
    total_flops += flops;
    total_seconds += t;
    std::printf("gemm_shape %-16s [%lld,%lld]x[%lld,%lld]^T  %8.3f ms  %8.1f GFLOP/s\n", shape.name,
                static_cast<long long>(tokens), static_cast<long long>(shape.in), static_cast<long long>(shape.out),
                static_cast<long long>(shape.in), t * 1e3, flops / t / 1e9);
  }
  std::printf("# checksum %g (keeps the products alive)\n", checksum);
  std::printf("gemm_gflops %.1f\n", total_flops / total_seconds / 1e9);
  return 0;
}
