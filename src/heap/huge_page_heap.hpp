// The heap set-up of a short-lived process that allocates tens of megabytes once.
#pragma once

namespace rk::heap {

// Grows the heap in one large step, serves big blocks from it too (not from separate mmaps), and
// asks for transparent huge pages over it. A `kconfig` run allocates up to a few tens of
// megabytes, touches them once and exits; on virtual machines each first touch of a 4 KiB page
// costs about 3 µs (a quarter of such a run on the CI hosts), a huge page a fifth as much per
// byte. Where the kernel offers no huge pages the advice is ignored. Call it once, early: in
// main(), or in a forked child before its work.
void use_huge_page_heap();

}  // namespace rk::heap
