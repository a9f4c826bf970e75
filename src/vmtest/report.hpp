// Boot-test results: per boot what happened, per variant which probes passed and whether the
// variant passes, and the outputs: a terminal table, JUnit XML and JSON (written atomically).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vmtest/console.hpp"
#include "vmtest/vmm.hpp"

namespace rk::vmtest {

enum class BootOutcome {
  completed,     // the probe printed its end line
  timeout,       // killed by the wall-clock timeout
  panic,         // the kernel panicked
  vmm_exit,      // the VMM exited before the probe finished
  start_failed,  // the VMM could not be started
};
std::string to_string(BootOutcome outcome);

struct BootRecord {
  int index = 1;  // 1-based
  Backend backend = Backend::qemu;
  Accel accel = Accel::tcg;
  BootOutcome outcome = BootOutcome::start_failed;
  std::string error;  // empty when completed cleanly; the headline otherwise
  int vmm_exit_code = -1;
  double wall_ms = 0;                      // launch to VMM exit (or kill)
  std::optional<double> host_ms_to_begin;  // launch to the "begin" line
  ConsoleState console;                    // protocol, results, last console lines
};

enum class CellStatus { pass, fail, skip, missing };
std::string cell_text(CellStatus status);  // pass / FAIL / skip / -

struct ProbeRow {
  std::string name;
  bool required = false;
  CellStatus status = CellStatus::missing;  // the worst over all boots
  std::string detail;                       // detail of that worst result
  std::vector<std::string> log;             // its rk-log lines from that boot (failures only)
};

struct BootTimeSummary {
  std::optional<double> median_boottime_ms;  // in-guest CLOCK_BOOTTIME at /init
  std::optional<double> median_host_ms;      // host: launch to "begin"
  bool comparable = false;                   // only KVM timings compare with the target
  double target_ms = 125;
  std::optional<bool> met;  // set when comparable and measured
};

struct VariantReport {
  std::string variant;  // "6.1-x86_64", or the kernel file's name for --kernel; "/<profile>"
                        // follows for a boot profile other than mmio-legacy
  std::string arch;
  std::string profile = "mmio-legacy";  // the boot profile (vmm.hpp)
  std::string skipped;  // non-empty: not booted, for this reason (a profile that does not apply)
  std::string kernel;
  Backend backend = Backend::qemu;
  Accel accel = Accel::tcg;
  std::string accel_reason;
  std::vector<BootRecord> boots;
  std::vector<ProbeRow> probes;
  BootTimeSummary boot_time;
  std::vector<std::string> failures;  // why the variant fails; empty: it passes
  bool passed = false;                // a skipped report passes
};

struct Requirements {
  std::vector<std::string> required;  // probes that must pass
  bool all_reported = false;          // also every probe the guest reports must pass
  double boot_target_ms = 125;        // KVM only
  bool enforce_boot_target = true;    // a KVM median above the target fails the variant
  // With all_reported: a reported skip (a workload scenario whose kernel or arch lacks what it
  // needs, said in its detail) does not fail the variant; probes in `required` still must pass.
  bool reported_skip_passes = false;
};

// Fills probes, boot_time, failures and passed from the boots.
void evaluate_variant(VariantReport& report, const Requirements& requirements);

double median(std::vector<double> values);

// "1234.5 ms", as every output of the report spells a duration.
std::string format_ms(double ms);

// The variant x probe table (probes as rows, variants as columns), followed by the boot time
// row, the verdicts and the reasons of every failure.
std::string render_table(const std::vector<VariantReport>& reports);

std::string junit_xml(const std::vector<VariantReport>& reports);
std::string results_json(const std::vector<VariantReport>& reports);

// The boot-test record of one variant, kept next to its artifacts (out/<branch>/<arch>/
// boot-test.json) so packaging can refuse kernels that were not tested or failed: the verdict,
// each probe's status, and the sha256 of every artifact file as it was when tested.
std::string boot_test_record_json(const VariantReport& report,
                                  const std::map<std::string, std::string>& artifact_sha256);

// Writes junit.xml and results.json into out_dir, each through a temporary file renamed into
// place. Returns the paths written.
std::vector<std::string> write_results(const std::string& out_dir,
                                       const std::vector<VariantReport>& reports);

}  // namespace rk::vmtest
