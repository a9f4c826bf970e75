// The console protocol of PROTOCOL.md: line formatting (pure) and the console writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "probe.hpp"

namespace rk::probe {

inline constexpr std::string_view kLinePrefix = "rk-probe: ";

std::string format_begin(std::string_view version, std::string_view arch);
std::string format_boottime(int64_t ns);
std::string format_result(std::string_view probe, const Outcome& o);
std::string format_end(int passed, int failed, int skipped);

// Writes protocol lines, each with one write(2), to the console.
class Console {
 public:
  // Opens /dev/console (creating the node under /dev if devtmpfs is missing), falling back to
  // the fd 1 the kernel gave init. Never fails: with no console, lines go nowhere.
  void open();
  void line(const std::string& text);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace rk::probe
