// Live progress of a Kbuild run: parsing make's short-form lines ("  CC      kernel/fork.o")
// into a phase and an object count, and showing them as one redrawn line on a terminal or a
// line every few seconds otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace rk::build {

enum class Phase { kConfig, kCompile, kLink, kArtifacts, kDone };
const char* phase_name(Phase p);

// Counts compiled objects (CC/AS lines whose target is a .o, modules included; host tools
// are not counted) and follows the phase: config until the first object, link from
// "LD vmlinux.o" (or any vmlinux / .tmp_vmlinux link step) on.
class ProgressParser {
 public:
  // Returns true when the line changed the count or the phase.
  bool feed(std::string_view line);
  Phase phase() const { return phase_; }
  std::uint64_t objects() const { return objects_; }
  void set_phase(Phase p) { phase_ = p; }

 private:
  Phase phase_ = Phase::kConfig;
  std::uint64_t objects_ = 0;
};

// "6.1-x86_64  compile   1234/~2150 objects  57%  3:12" (expected 0: no total, no percent).
std::string progress_line(const std::string& label, Phase phase, std::uint64_t objects,
                          std::uint64_t expected, std::chrono::seconds elapsed);

// "m:ss" or "h:mm:ss".
std::string format_duration(std::chrono::seconds s);

class ProgressDisplay {
 public:
  // `out` null: silent. `tty`: one line redrawn in place; otherwise a line every `interval`
  // and at each phase change.
  ProgressDisplay(std::FILE* out, bool tty, std::string label, std::uint64_t expected,
                  std::chrono::seconds interval = std::chrono::seconds(30));
  void update(Phase phase, std::uint64_t objects);
  void tick();                           // redraws the elapsed time
  void finish(const std::string& note);  // final line, ends the redrawn line
  std::chrono::seconds elapsed() const;

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool force);
  std::FILE* out_;
  bool tty_;
  std::string label_;
  std::uint64_t expected_;
  std::chrono::seconds interval_;
  Clock::time_point start_, last_;
  Phase phase_ = Phase::kConfig, printed_phase_ = Phase::kConfig;
  std::uint64_t objects_ = 0;
  bool any_printed_ = false, finished_ = false;
  size_t last_width_ = 0;
};

}  // namespace rk::build
