// Runs one probe in a forked child with a time budget, so that a probe that hangs, crashes or
// leaves state behind cannot take PID 1 down with it.
#pragma once

#include <chrono>
#include <string_view>

#include "probe.hpp"

namespace rk::probe {

using ProbeFn = Outcome (*)();

// Forks; the child runs fn (ProbeAbort and other exceptions become its outcome) and reports
// through a pipe. A child still running after `budget` is killed with its process group and
// reported as a failure naming the last step() it reached; one killed by a signal is reported
// as a crash. Leftover processes of the child's process group are killed afterwards.
Outcome run_isolated(ProbeFn fn, std::chrono::milliseconds budget);

// Runs fn in the calling process, turning exceptions into outcomes (used inside the child).
Outcome run_inline(ProbeFn fn);

// Used by step(): writes a step record to the runner's pipe when in a probe child.
void report_step(std::string_view what);

// Makes text fit on one protocol line: newlines and control characters become spaces, long
// texts are cut with "...".
std::string one_line(std::string_view text, size_t max = 480);

}  // namespace rk::probe
