// Measuring programs for the Kconfig benchmark: run a process and report its wall time and peak
// memory, or run a piece of work in a forked child and report the same.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rk::bench {

struct ProcessSpec {
  std::vector<std::string> argv;           // argv[0] is the program's path (no PATH search)
  std::map<std::string, std::string> env;  // exactly the environment the program gets
  std::filesystem::path cwd;
  std::filesystem::path stdout_file;  // standard output and error go to these files;
  std::filesystem::path stderr_file;  // standard input is /dev/null
  // Follow the process with ptrace to read its own peak RSS (VmHWM) and CPU time (/proc/PID/stat)
  // when it exits. Stops only
  // at exec, at exit and when it gets a signal (SIGCHLD of each $(shell,...) it reaps).
  bool own_peak = true;
};

struct ProcessRun {
  int exit_code = -1;      // exit status, 128 + signal number, or -1 when it could not run
  double seconds = 0;      // wall time from fork to reaping
  long maxrss_kb = 0;      // wait4's ru_maxrss: the process and every descendant it reaped
  double cpu_seconds = 0;  // user + system time of the process and every descendant it reaped
  long own_peak_kb = -1;   // VmHWM of the process alone when it exited; -1 when unknown
  double own_cpu_seconds =
      -1;             // user + system time of the process alone (10 ms ticks); -1: unknown
  std::string error;  // why it could not run
};

ProcessRun run_process(const ProcessSpec& spec);

// What a forked child reports back from run_forked().
struct ForkedRun {
  bool ok = false;
  std::vector<double> values;  // what the work measured
  long start_rss_kb = -1;      // the child's VmRSS before the work: what it inherited at fork
  long maxrss_kb = 0;          // the child's ru_maxrss (includes what it inherited)
  std::string error;
};

// Runs `work` in a forked child. `work` fills in the values it measured (the caller decides what
// they mean) and returns an error message, empty on success; it may allocate freely (the caller is
// single-threaded). The child ends with _exit(), so no atexit handler of this process runs twice.
ForkedRun run_forked(const std::function<std::string(std::vector<double>& values)>& work);

}  // namespace rk::bench
