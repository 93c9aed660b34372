#include "util/large_buffer.hpp"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace conceptlens {

LargeAllocation::LargeAllocation(std::size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  madvise(memory, bytes, MADV_HUGEPAGE);  // advisory: ignored where THP is off
  data_ = memory;
}

LargeAllocation::LargeAllocation(LargeAllocation&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

LargeAllocation& LargeAllocation::operator=(LargeAllocation&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, bytes_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

LargeAllocation::~LargeAllocation() {
  if (data_ != nullptr) munmap(data_, bytes_);
}

}  // namespace conceptlens
