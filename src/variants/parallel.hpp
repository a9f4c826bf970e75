// Runs independent per-variant work on every CPU: workers take the next index as soon as they
// are done (trees differ in size), and an exception stays with its index for the caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace rk::variants {

// Calls work(i) for every i < n, spread over the machine's CPUs; returns, per index, the
// exception work(i) threw (null when none).
template <typename Work>
std::vector<std::exception_ptr> for_each_in_parallel(size_t n, Work&& work) {
  std::vector<std::exception_ptr> errors(n);
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  workers = std::min<unsigned>(workers, static_cast<unsigned>(n));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < n;) {
      try {
        work(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < workers; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  return errors;
}

}  // namespace rk::variants
