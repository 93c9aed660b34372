#pragma once
// A large array of trivially copyable values in anonymous memory backed by transparent huge
// pages where the kernel allows (madvise(MADV_HUGEPAGE)). Strided access over a gigabyte-sized
// matrix touches a new 4 KiB page almost every time; 2 MiB pages keep those accesses out of
// TLB misses. The memory starts zeroed and is committed by the kernel on first touch.
#include <cstddef>
#include <type_traits>

namespace conceptlens {

class LargeAllocation {
 public:
  LargeAllocation() = default;
  explicit LargeAllocation(std::size_t bytes);  ///< throws std::bad_alloc
  LargeAllocation(LargeAllocation&& other) noexcept;
  LargeAllocation& operator=(LargeAllocation&& other) noexcept;
  LargeAllocation(const LargeAllocation&) = delete;
  LargeAllocation& operator=(const LargeAllocation&) = delete;
  ~LargeAllocation();

  void* data() const { return data_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

template <class T>
class LargeBuffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  LargeBuffer() = default;
  explicit LargeBuffer(std::size_t count) : memory_(count * sizeof(T)) {}
  T* data() const { return static_cast<T*>(memory_.data()); }
  T& operator[](std::size_t i) const { return data()[i]; }

 private:
  LargeAllocation memory_;
};

}  // namespace conceptlens
