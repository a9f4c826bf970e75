// Running a helper program (skopeo), behind a seam the tests replace.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace rk::image {

struct ProcessResult {
  int exit_code = 0;   // 127 when the program could not be started, 128 + N when killed by N
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) with the given arguments and waits for it.
ProcessResult run_process(const std::vector<std::string>& argv);

using ProcessRunner = std::function<ProcessResult(const std::vector<std::string>&)>;

// True when `program` is an executable found in PATH (or an executable path).
bool program_available(const std::string& program);

}  // namespace rk::image
