// Reads the guest's serial console as it arrives and extracts the probe protocol
// (src/probe/PROTOCOL.md): only lines starting with "rk-probe: " count; kernel messages and
// any other output are kept only as the console tail shown when a boot goes wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::vmtest {

enum class ProbeStatus { pass, fail, skip };
std::string_view to_string(ProbeStatus status);

struct ProbeResult {
  std::string name;
  ProbeStatus status = ProbeStatus::fail;
  std::string detail;
};

struct ProbeEnd {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

struct ConsoleState {
  bool begun = false;  // "rk-probe: begin" seen: the kernel reached /init
  std::string probe_version;
  std::string probe_arch;
  std::optional<uint64_t> boottime_ns;
  std::vector<ProbeResult> results;
  std::optional<ProbeEnd> end;
  std::optional<std::string> panic;          // the first "Kernel panic" line, if any
  std::vector<std::string> protocol_errors;  // malformed or out-of-order protocol lines
  std::deque<std::string> tail;  // the last console lines (all of them, protocol included)
  // "rk-log: <name>: <text>" lines (the workload agent's log of a failed scenario), per name,
  // at most kMaxLogLines each.
  std::map<std::string, std::vector<std::string>> logs;
  static constexpr size_t kMaxLogLines = 200;
  size_t lines = 0;  // complete lines seen
};

class ConsoleParser {
 public:
  explicit ConsoleParser(size_t tail_lines = 20) : tail_lines_(tail_lines) {}

  // Console bytes in arbitrary chunks; complete lines are parsed as they arrive.
  void feed(std::string_view bytes);
  // End of output: a last line without newline is parsed too.
  void finish();

  const ConsoleState& state() const { return state_; }

 private:
  void line(std::string_view raw);
  void protocol_line(std::string_view text);
  void error(std::string message);

  size_t tail_lines_;
  std::string partial_;
  ConsoleState state_;
};

// Convenience for tests and recorded transcripts: parse a whole transcript.
ConsoleState parse_console(std::string_view transcript, size_t tail_lines = 20);

// Removes what is not text from a console line: carriage returns, NUL bytes, ANSI escape
// sequences and other control characters (tabs are kept).
std::string clean_console_line(std::string_view raw);

}  // namespace rk::vmtest
