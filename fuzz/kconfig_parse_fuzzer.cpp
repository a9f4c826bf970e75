// libFuzzer target for the Kconfig front end: macro preprocessor, lexer and parser.
//
// The input is a small Kconfig tree kept in memory (no file system access, so 'source' can
// neither escape nor block on a device):
//   byte 0            dialect: 5.10, 6.1 or 6.12 (value % 3)
//   the rest          "Kconfig", then more files separated by lines "%%": f1, f2, ...
// $(shell,...) answers "" for every command. A KconfigError is a normal outcome; anything
// else (crash, sanitizer report, uncaught exception, timeout, memory blow-up) is a bug.
//
// RK_FUZZ_FINALIZE=1 in the environment also runs finalize_tree() on what parsed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "kconfig/parse.hpp"
#include "kconfig/shell_runner.hpp"

namespace {

using namespace rk::kconfig;

constexpr std::string_view kDir = "/fuzz";
constexpr size_t kMaxFiles = 8;

std::map<std::string, std::string> split_files(std::string_view data) {
  std::map<std::string, std::string> files;
  size_t index = 0;
  while (true) {
    size_t sep = data.find("\n%%\n");
    std::string name = index == 0 ? "Kconfig" : "f" + std::to_string(index);
    std::string_view body = data.substr(0, sep == std::string_view::npos ? data.size() : sep + 1);
    files[std::string(kDir) + "/" + name] = std::string(body);
    if (sep == std::string_view::npos || ++index >= kMaxFiles) break;
    data.remove_prefix(sep + 4);
  }
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const Dialect kDialects[] = {{5, 10}, {6, 1}, {6, 12}};
  static const bool finalize = std::getenv("RK_FUZZ_FINALIZE") != nullptr;

  std::map<std::string, std::string> files =
      split_files(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

  ReplayShell shell{ToolchainProfile()};
  shell.set_fallback(std::string());
  Diagnostics diag;

  ParseOptions o;
  o.kconfig = "Kconfig";
  o.cwd = std::string(kDir);
  o.env = {{"ARCH", "x86_64"}, {"SRCARCH", "x86"}, {"CC", "gcc"}, {"HOME", "/root"}};
  o.shell = &shell;
  o.diag = &diag;
  o.dialect = kDialects[data[0] % 3];
  o.read_file = [&files](const std::string& path, std::string& contents) {
    auto it = files.find(path);
    if (it == files.end()) return false;
    contents = it->second;
    return true;
  };
  o.finalize = finalize;
  // Smaller bounds than the defaults keep every run fast; the code paths are the same.
  o.limits.macro_evaluations = 20000;
  o.limits.expansion_bytes = 64 << 10;
  o.limits.total_expansion_bytes = 4 << 20;
  o.limits.source_statements = 2000;
  o.limits.total_source_bytes = 4 << 20;

  try {
    parse_kconfig(o);
  } catch (const KconfigError&) {
  }
  return 0;
}
