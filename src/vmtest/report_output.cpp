// The outputs of the boot test: the terminal table, JUnit XML, results.json and the boot-test
// record (report.cpp computes the verdicts they show).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "vmtest/error.hpp"
#include "vmtest/report.hpp"

namespace rk::vmtest {
namespace {

std::string status_word(CellStatus s) {
  switch (s) {
    case CellStatus::pass:
      return "pass";
    case CellStatus::fail:
      return "fail";
    case CellStatus::skip:
      return "skip";
    case CellStatus::missing:
      return "missing";
  }
  return "missing";
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (c < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string boot_time_cell(const VariantReport& r) {
  const auto& t = r.boot_time;
  if (!t.median_boottime_ms) return "-";
  if (!t.comparable) return "TCG: not comparable (" + format_ms(*t.median_boottime_ms) + ")";
  return (t.met.value_or(false) ? "" : "SLOW ") + format_ms(*t.median_boottime_ms);
}

}  // namespace

std::string render_table(const std::vector<VariantReport>& reports) {
  std::vector<std::string> names;
  for (const auto& r : reports) {
    for (const auto& p : r.probes) {
      if (std::find(names.begin(), names.end(), p.name) == names.end()) names.push_back(p.name);
    }
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"probe"};
  for (const auto& r : reports) header.push_back(r.variant);
  rows.push_back(header);
  for (const auto& name : names) {
    std::vector<std::string> row = {name};
    for (const auto& r : reports) {
      std::string cell = "-";
      for (const auto& p : r.probes) {
        if (p.name == name) cell = cell_text(p.status) + (p.required ? "" : " (opt)");
      }
      row.push_back(cell);
    }
    rows.push_back(row);
  }
  std::vector<std::string> accel = {"vmm/accel"};
  std::vector<std::string> boot = {"boot to init"};
  std::vector<std::string> host = {"launch to init"};
  std::vector<std::string> verdict = {"verdict"};
  for (const auto& r : reports) {
    accel.push_back(to_string(r.backend) + "/" + to_string(r.accel));
    boot.push_back(boot_time_cell(r));
    host.push_back(r.boot_time.median_host_ms ? format_ms(*r.boot_time.median_host_ms) : "-");
    verdict.push_back(!r.skipped.empty() ? "SKIP" : r.passed ? "PASS" : "FAIL");
  }
  rows.push_back(accel);
  rows.push_back(boot);
  rows.push_back(host);
  rows.push_back(verdict);

  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += "\n";
  };
  auto rule = [&] {
    size_t total = 0;
    for (size_t w : width) total += w + 2;
    out += std::string(total - 2, '-') + "\n";
  };
  emit(rows[0]);
  rule();
  for (size_t i = 1; i < rows.size(); ++i) {
    if (i == rows.size() - 4 && i > 1) rule();
    emit(rows[i]);
  }
  for (const auto& r : reports) {
    if (!r.skipped.empty()) out += r.variant + ": SKIP: " + r.skipped + "\n";
    if (!r.accel_reason.empty()) out += r.variant + ": " + r.accel_reason + "\n";
    for (const auto& f : r.failures) out += r.variant + ": FAIL: " + f + "\n";
    for (const auto& p : r.probes) {
      if (p.log.empty()) continue;
      out +=
          r.variant + ": " + p.name + " log (last " + std::to_string(p.log.size()) + " lines):\n";
      for (const auto& line : p.log) out += "  | " + line + "\n";
    }
    for (const auto& b : r.boots) {
      if (b.outcome == BootOutcome::completed) continue;
      out += r.variant + ": boot " + std::to_string(b.index) + " last console lines:\n";
      for (const auto& line : b.console.tail) out += "  | " + line + "\n";
    }
  }
  return out;
}

std::string junit_xml(const std::vector<VariantReport>& reports) {
  int tests = 0, failures = 0, skipped = 0;
  std::string suites;
  for (const auto& r : reports) {
    int t = 0, f = 0, s = 0;
    std::string cases;
    const std::string cls = "runner-kernel.vmtest." + r.variant;
    // The boot itself is a test case: it fails on timeouts, panics and protocol errors.
    std::string boot_failure;
    for (const auto& msg : r.failures) {
      if (msg.starts_with("boot ")) boot_failure += msg + "\n";
    }
    double wall = 0;
    for (const auto& b : r.boots) wall += b.wall_ms;
    ++t;
    cases += "    <testcase classname=\"" + xml_escape(cls) + "\" name=\"boot\" time=\"" +
             std::to_string(wall / 1000) + "\">\n";
    if (!r.skipped.empty()) {
      ++s;
      cases += "      <skipped message=\"" + xml_escape(r.skipped) + "\"/>\n";
    } else if (!boot_failure.empty()) {
      ++f;
      cases += "      <failure message=\"" +
               xml_escape(boot_failure.substr(0, boot_failure.find('\n'))) + "\">" +
               xml_escape(boot_failure);
      for (const auto& b : r.boots) {
        if (b.outcome == BootOutcome::completed) continue;
        cases += "last console lines of boot " + std::to_string(b.index) + ":\n";
        for (const auto& line : b.console.tail) cases += xml_escape(line) + "\n";
      }
      cases += "</failure>\n";
    }
    cases += "    </testcase>\n";
    for (const auto& p : r.probes) {
      ++t;
      cases += "    <testcase classname=\"" + xml_escape(cls) + "\" name=\"" + xml_escape(p.name) +
               "\" time=\"0\">\n";
      bool failing = p.status == CellStatus::fail || (p.required && p.status != CellStatus::pass);
      if (failing) {
        ++f;
        std::string msg = (p.required ? "required probe " : "probe ") + status_word(p.status);
        std::string body = p.detail;
        if (!p.log.empty()) body += "\nlog:";
        for (const auto& line : p.log) body += "\n" + line;
        cases += "      <failure message=\"" + xml_escape(msg) + "\">" + xml_escape(body) +
                 "</failure>\n";
      } else if (p.status == CellStatus::skip || p.status == CellStatus::missing) {
        ++s;
        cases += "      <skipped message=\"" + xml_escape(status_word(p.status) + ": " + p.detail) +
                 "\"/>\n";
      }
      cases += "    </testcase>\n";
    }
    if (r.boot_time.comparable && r.boot_time.met && !*r.boot_time.met) {
      ++t;
      ++f;
      cases += "    <testcase classname=\"" + xml_escape(cls) +
               "\" name=\"boot-time\" time=\"0\">\n      <failure message=\"" +
               xml_escape("median boot to init " + format_ms(*r.boot_time.median_boottime_ms) +
                          " exceeds " + format_ms(r.boot_time.target_ms)) +
               "\"/>\n    </testcase>\n";
    }
    tests += t;
    failures += f;
    skipped += s;
    suites += "  <testsuite name=\"" + xml_escape(r.variant) + "\" tests=\"" + std::to_string(t) +
              "\" failures=\"" + std::to_string(f) + "\" errors=\"0\" skipped=\"" +
              std::to_string(s) + "\">\n";
    suites += "    <properties>\n";
    auto prop = [&](const std::string& k, const std::string& v) {
      suites +=
          "      <property name=\"" + xml_escape(k) + "\" value=\"" + xml_escape(v) + "\"/>\n";
    };
    prop("arch", r.arch);
    prop("profile", r.profile);
    prop("kernel", r.kernel);
    prop("vmm", to_string(r.backend));
    prop("accel", to_string(r.accel));
    prop("accel_reason", r.accel_reason);
    prop("boots", std::to_string(r.boots.size()));
    if (r.boot_time.median_boottime_ms) {
      prop("median_boottime_ms", std::to_string(*r.boot_time.median_boottime_ms));
    }
    suites += "    </properties>\n" + cases + "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"runner-kernel vmtest\" "
         "tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\">\n" + suites +
         "</testsuites>\n";
}

namespace {

nlohmann::ordered_json variant_json(const VariantReport& r) {
  using json = nlohmann::ordered_json;
  json boots = json::array();
  for (const auto& b : r.boots) {
    json jb = {{"index", b.index},
               {"vmm", to_string(b.backend)},
               {"accel", to_string(b.accel)},
               {"outcome", to_string(b.outcome)},
               {"error", b.error},
               {"vmm_exit_code", b.vmm_exit_code},
               {"wall_ms", b.wall_ms},
               {"host_ms_to_begin", b.host_ms_to_begin ? json(*b.host_ms_to_begin) : json()},
               {"boottime_ns", b.console.boottime_ns ? json(*b.console.boottime_ns) : json()},
               {"probe_version", b.console.probe_version},
               {"reached_init", b.console.begun},
               {"finished", b.console.end.has_value()},
               {"panic", b.console.panic ? json(*b.console.panic) : json()},
               {"protocol_errors", b.console.protocol_errors}};
    json results = json::array();
    for (const auto& p : b.console.results) {
      results.push_back(
          {{"probe", p.name}, {"status", std::string(to_string(p.status))}, {"detail", p.detail}});
    }
    jb["results"] = results;
    jb["console_tail"] =
        json(std::vector<std::string>(b.console.tail.begin(), b.console.tail.end()));
    boots.push_back(jb);
  }
  json probes = json::array();
  for (const auto& p : r.probes) {
    json jp = {{"probe", p.name},
               {"required", p.required},
               {"status", status_word(p.status)},
               {"detail", p.detail}};
    if (!p.log.empty()) jp["log"] = p.log;
    probes.push_back(jp);
  }
  const auto& t = r.boot_time;
  json boot_time = {
      {"median_boottime_ms", t.median_boottime_ms ? json(*t.median_boottime_ms) : json()},
      {"median_host_ms_to_begin", t.median_host_ms ? json(*t.median_host_ms) : json()},
      {"comparable", t.comparable},
      {"note", t.comparable ? "KVM" : "TCG: not comparable"},
      {"target_ms", t.target_ms},
      {"met", t.met ? json(*t.met) : json()}};
  return {{"variant", r.variant},
          {"arch", r.arch},
          {"profile", r.profile},
          {"skipped", r.skipped.empty() ? json() : json(r.skipped)},
          {"kernel", r.kernel},
          {"vmm", to_string(r.backend)},
          {"accel", to_string(r.accel)},
          {"accel_reason", r.accel_reason},
          {"passed", r.passed},
          {"failures", r.failures},
          {"probes", probes},
          {"boot_time", boot_time},
          {"boots", boots}};
}

}  // namespace

std::string results_json(const std::vector<VariantReport>& reports) {
  using json = nlohmann::ordered_json;
  json variants = json::array();
  bool all_passed = !reports.empty();
  for (const auto& r : reports) {
    all_passed = all_passed && r.passed;
    variants.push_back(variant_json(r));
  }
  json doc = {{"schema", "runner-kernel/vmtest-results/v1"},
              {"passed", all_passed},
              {"variants", variants}};
  return doc.dump(2) + "\n";
}

std::string boot_test_record_json(const VariantReport& report,
                                  const std::map<std::string, std::string>& artifact_sha256) {
  using json = nlohmann::ordered_json;
  json doc = {{"schema", "runner-kernel/boot-test/v1"},
              {"variant", report.variant},
              {"passed", report.passed},
              {"artifacts", artifact_sha256},
              {"failures", report.failures}};
  json probes = json::object();
  for (const auto& p : report.probes) probes[p.name] = status_word(p.status);
  doc["probes"] = probes;
  doc["report"] = variant_json(report);
  return doc.dump(2) + "\n";
}

std::vector<std::string> write_results(const std::string& out_dir,
                                       const std::vector<VariantReport>& reports) {
  std::string junit = (std::filesystem::path(out_dir) / "junit.xml").string();
  std::string json = (std::filesystem::path(out_dir) / "results.json").string();
  stage_file_io([&] {
    base::write_file_atomically(junit, junit_xml(reports));
    base::write_file_atomically(json, results_json(reports));
  });
  return {junit, json};
}

}  // namespace rk::vmtest
