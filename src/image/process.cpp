#include "image/process.hpp"

#include "process/run.hpp"

namespace rk::image {

ProcessResult run_process(const std::vector<std::string>& argv) {
  ProcessResult r;
  process::Handlers h;
  h.on_output = [&](std::string_view chunk) {
    r.output.append(chunk);
    return process::Verdict::keep_going;
  };
  process::Outcome out = process::run({argv, "", {}}, h);
  if (!out.started) {
    r.exit_code = 127;
    r.output = "cannot run " + out.start_error;
  } else {
    r.exit_code = out.exited ? out.exit_code : 128 + out.signal;
  }
  return r;
}

bool program_available(const std::string& program) {
  return !process::find_executable(program).empty();
}

}  // namespace rk::image
