#include "heap/huge_page_heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace rk::heap {

void use_huge_page_heap() {
  constexpr size_t kStep = size_t{64} << 20;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TOP_PAD, static_cast<int>(kStep));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kStep));  // keep what was grown
  void* block = std::malloc(kStep / 4);  // grows the heap by the block and the pad
  if (!block) return;
  auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  uintptr_t start = (reinterpret_cast<uintptr_t>(block) + kHuge - 1) & ~(kHuge - 1);
  if (start < end) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
  std::free(block);
}

}  // namespace rk::heap
