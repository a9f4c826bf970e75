#include "heap/huge_page_heap.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

// Runs `body` in a forked child (the set-up changes the whole process's allocator) and returns
// its exit status: 0 when every check in it held, else the number of the check that failed.
template <typename Body>
int in_child(Body body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

extern "C" char end;  // the end of the program's data: the brk heap lies above it

// Whether the block lies in the heap grown with brk (between the program's data and the current
// break), as opposed to a mapping of its own, which the kernel places far above the break.
bool in_brk_heap(const void* p, std::size_t size) {
  auto a = reinterpret_cast<uintptr_t>(p);
  return a >= reinterpret_cast<uintptr_t>(&end) && a + size <= reinterpret_cast<uintptr_t>(sbrk(0));
}

// A block of 8 MiB is above glibc's default mmap threshold (128 KiB, at most 32 MiB when it
// adapts), so without the set-up it gets a mapping of its own; with it, it comes from the heap.
constexpr std::size_t kBig = std::size_t{8} << 20;

TEST(HugePageHeap, BigBlocksComeFromTheGrownHeap) {
  EXPECT_EQ(in_child([] {
              auto start = reinterpret_cast<uintptr_t>(sbrk(0));
              rk::heap::use_huge_page_heap();
              // The heap was grown in one step of tens of megabytes and kept.
              if (reinterpret_cast<uintptr_t>(sbrk(0)) - start < (std::size_t{32} << 20)) return 1;
              void* big = std::malloc(kBig);
              if (!big) return 2;
              std::memset(big, 1, kBig);
              if (!in_brk_heap(big, kBig)) return 3;
              std::free(big);
              return 0;
            }),
            0);
}

// The check above can fail: without the set-up the same block is mapped outside the heap.
TEST(HugePageHeap, WithoutItBigBlocksAreMappedApart) {
  EXPECT_EQ(in_child([] {
              void* big = std::malloc(kBig);
              if (!big) return 2;
              bool inside = in_brk_heap(big, kBig);
              std::free(big);
              return inside ? 3 : 0;
            }),
            0);
}

}  // namespace
