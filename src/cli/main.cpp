#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "kconfig/parse_cache.hpp"

namespace rk::cli {
std::string tree_cache_dir() {
  const char* set = std::getenv("RUNNER_KERNEL_TREE_CACHE");
  if (set && *set) return std::string(set) == "off" ? std::string() : std::string(set);
  kconfig::Environment env;
  for (const char* name : {"XDG_CACHE_HOME", "HOME"})
    if (const char* v = std::getenv(name)) env[name] = v;
  return kconfig::default_snapshot_dir(env);
}

std::vector<CommandEntry>& command_registry() {
  static std::vector<CommandEntry> registry;
  return registry;
}
}  // namespace rk::cli

namespace {

// A command allocates up to a few tens of megabytes, touches them once and exits. On virtual
// machines first-touch page faults are slow (about 3 µs per 4 KiB page on the CI hosts: a
// quarter of a `kconfig` run), so the heap is grown in one large step, big blocks come from it
// too, and it asks for transparent huge pages: touching it then costs a fifth as much. Where
// the kernel offers no huge pages the advice is ignored.
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

}  // namespace

int main(int argc, char** argv) {
  use_huge_page_heap();
  CLI::App app{"runner-kernel: Linux kernels for Firecracker microVMs that run CI jobs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "runner-kernel 0.1.0");

  auto& registry = rk::cli::command_registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, rk::cli::CommandRunner>> commands;
  for (auto& entry : registry) {
    rk::cli::CommandRunner run = entry.registrar(app);
    commands.emplace_back(app.get_subcommand(entry.name), std::move(run));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) {
      try {
        return run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "runner-kernel: %s\n", e.what());
        return 1;
      }
    }
  }
  return 1;
}
