#include "vmtest/report.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace rk::vmtest {
namespace {

int severity(CellStatus s) {
  switch (s) {
    case CellStatus::pass:
      return 0;
    case CellStatus::skip:
      return 1;
    case CellStatus::missing:
      return 2;
    case CellStatus::fail:
      return 3;
  }
  return 3;
}

CellStatus cell_of(ProbeStatus s) {
  switch (s) {
    case ProbeStatus::pass:
      return CellStatus::pass;
    case ProbeStatus::skip:
      return CellStatus::skip;
    case ProbeStatus::fail:
      return CellStatus::fail;
  }
  return CellStatus::fail;
}

std::string boot_failure_text(const BootRecord& b) {
  return "boot " + std::to_string(b.index) + ": " + b.error;
}

}  // namespace

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

std::string to_string(BootOutcome outcome) {
  switch (outcome) {
    case BootOutcome::completed:
      return "completed";
    case BootOutcome::timeout:
      return "timeout";
    case BootOutcome::panic:
      return "panic";
    case BootOutcome::vmm_exit:
      return "vmm-exit";
    case BootOutcome::start_failed:
      return "start-failed";
  }
  return "start-failed";
}

std::string cell_text(CellStatus status) {
  switch (status) {
    case CellStatus::pass:
      return "pass";
    case CellStatus::fail:
      return "FAIL";
    case CellStatus::skip:
      return "skip";
    case CellStatus::missing:
      return "-";
  }
  return "-";
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void evaluate_variant(VariantReport& report, const Requirements& req) {
  report.probes.clear();
  report.failures.clear();

  // Rows: probes in the order the guest reported them, then required ones never reported.
  auto row_of = [&](const std::string& name) -> ProbeRow& {
    for (auto& row : report.probes) {
      if (row.name == name) return row;
    }
    report.probes.push_back({name, false, CellStatus::missing, ""});
    return report.probes.back();
  };
  for (const auto& boot : report.boots) {
    for (const auto& result : boot.console.results) row_of(result.name);
  }
  for (const auto& name : req.required) row_of(name).required = true;
  if (req.all_reported) {
    for (auto& row : report.probes) row.required = true;
  }

  // A probe's status is its worst over the boots; a boot that did not report it (and did not
  // finish) counts as missing.
  for (auto& row : report.probes) {
    bool first = true;
    for (const auto& boot : report.boots) {
      CellStatus s = CellStatus::missing;
      std::string detail;
      for (const auto& result : boot.console.results) {
        if (result.name == row.name) {
          s = cell_of(result.status);
          detail = result.detail;
        }
      }
      if (first || severity(s) > severity(row.status)) {
        row.status = s;
        row.detail = detail;
        row.log.clear();
        auto log = boot.console.logs.find(row.name);
        if (s == CellStatus::fail && log != boot.console.logs.end()) row.log = log->second;
      }
      first = false;
    }
    if (req.reported_skip_passes && row.status == CellStatus::skip &&
        std::find(req.required.begin(), req.required.end(), row.name) == req.required.end()) {
      row.required = false;
    }
  }

  for (const auto& boot : report.boots) {
    if (boot.outcome != BootOutcome::completed || !boot.error.empty()) {
      report.failures.push_back(boot_failure_text(boot));
    }
    for (const auto& e : boot.console.protocol_errors) {
      report.failures.push_back("boot " + std::to_string(boot.index) + ": protocol: " + e);
    }
    if (boot.console.begun && !boot.console.probe_arch.empty() &&
        boot.console.probe_arch != report.arch) {
      report.failures.push_back("boot " + std::to_string(boot.index) + ": probe reports arch " +
                                boot.console.probe_arch + ", expected " + report.arch);
    }
  }
  if (report.boots.empty()) report.failures.push_back("no boot ran");

  for (const auto& row : report.probes) {
    if (!row.required || row.status == CellStatus::pass) continue;
    std::string why = row.status == CellStatus::missing ? "was not reported"
                      : row.status == CellStatus::skip  ? "was skipped"
                                                        : "failed";
    report.failures.push_back("required probe " + row.name + " " + why +
                              (row.detail.empty() ? "" : ": " + row.detail));
  }

  std::vector<double> guest, host;
  for (const auto& boot : report.boots) {
    if (boot.console.boottime_ns) guest.push_back(*boot.console.boottime_ns / 1e6);
    if (boot.host_ms_to_begin) host.push_back(*boot.host_ms_to_begin);
  }
  auto& t = report.boot_time;
  t = BootTimeSummary{};
  t.target_ms = req.boot_target_ms;
  t.comparable = report.accel == Accel::kvm;
  if (!guest.empty()) t.median_boottime_ms = median(guest);
  if (!host.empty()) t.median_host_ms = median(host);
  if (t.comparable && t.median_boottime_ms) {
    t.met = *t.median_boottime_ms <= t.target_ms;
    if (!*t.met && req.enforce_boot_target) {
      report.failures.push_back("boot time " + format_ms(*t.median_boottime_ms) +
                                " to init (median) exceeds the KVM target of " +
                                format_ms(t.target_ms));
    }
  }
  report.passed = report.failures.empty();
}

}  // namespace rk::vmtest
