#include "build/process.hpp"

#include "build/error.hpp"
#include "process/run.hpp"

namespace rk::build {

ProcessOutcome run_streaming(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const std::string& cwd,
                             const std::function<void(std::string_view)>& on_line,
                             const std::function<void()>& on_tick) {
  process::LineSplitter lines(on_line);
  process::Handlers handlers;
  handlers.on_output = [&](std::string_view chunk) {
    lines.feed(chunk);
    return process::Verdict::keep_going;
  };
  if (on_tick) handlers.on_tick = [&](std::chrono::milliseconds) { on_tick(); };
  process::Limits limits;
  limits.tick_interval = std::chrono::seconds(1);
  limits.forward_interrupts = true;
  process::Outcome r =
      process::run({argv, cwd, env, /*replace_environment=*/true}, handlers, limits);
  if (!r.started) throw BuildError(ErrorKind::kToolMissing, "cannot run " + r.start_error);
  lines.finish();
  ProcessOutcome out;
  out.interrupted = r.interrupted;
  if (r.exited) out.exit_code = r.exit_code;
  out.signal = r.signal;
  return out;
}

std::string capture(const std::vector<std::string>& argv, int* exit_code) {
  std::string out = process::capture({argv, "", {"LC_ALL=C"}}, exit_code);
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  return out;
}

}  // namespace rk::build
