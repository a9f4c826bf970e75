#include "vmtest/report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace rk::vmtest {
namespace {

BootRecord completed_boot(int index, uint64_t boottime_ns,
                          std::vector<std::pair<std::string, ProbeStatus>> results) {
  BootRecord b;
  b.index = index;
  b.outcome = BootOutcome::completed;
  b.console.begun = true;
  b.console.probe_arch = "x86_64";
  b.console.boottime_ns = boottime_ns;
  b.host_ms_to_begin = boottime_ns / 1e6 + 50;
  ProbeEnd end;
  for (auto& [name, status] : results) {
    b.console.results.push_back({name, status, name + " detail"});
    if (status == ProbeStatus::pass) ++end.passed;
    if (status == ProbeStatus::fail) ++end.failed;
    if (status == ProbeStatus::skip) ++end.skipped;
  }
  b.console.end = end;
  return b;
}

VariantReport report_with(std::vector<BootRecord> boots, Accel accel = Accel::tcg) {
  VariantReport r;
  r.variant = "6.1-x86_64";
  r.arch = "x86_64";
  r.kernel = "out/6.1/x86_64/vmlinux";
  r.accel = accel;
  r.boots = std::move(boots);
  return r;
}

const ProbeRow* row(const VariantReport& r, const std::string& name) {
  for (const auto& p : r.probes) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(Report, AllRequiredPassing) {
  auto r = report_with(
      {completed_boot(1, 90'000'000, {{"ext4", ProbeStatus::pass}, {"kvm", ProbeStatus::skip}})});
  evaluate_variant(r, {{"ext4"}, false});
  EXPECT_TRUE(r.passed) << testing::PrintToString(r.failures);
  ASSERT_NE(row(r, "kvm"), nullptr);
  EXPECT_FALSE(row(r, "kvm")->required);
  EXPECT_EQ(row(r, "kvm")->status, CellStatus::skip);
}

TEST(Report, RequiredProbeFailingFailsTheVariant) {
  auto r = report_with({completed_boot(1, 1, {{"ext4", ProbeStatus::fail}})});
  evaluate_variant(r, {{"ext4"}, false});
  EXPECT_FALSE(r.passed);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].find("required probe ext4 failed"), std::string::npos);
}

TEST(Report, OptionalProbeFailingDoesNot) {
  auto r = report_with({completed_boot(1, 1, {{"ext4", ProbeStatus::fail}})});
  evaluate_variant(r, {{}, false});
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(row(r, "ext4")->status, CellStatus::fail);
}

TEST(Report, RequiredProbeMissingOrSkippedFailsTheVariant) {
  auto r = report_with({completed_boot(1, 1, {{"ext4", ProbeStatus::skip}})});
  evaluate_variant(r, {{"ext4", "squashfs"}, false});
  EXPECT_FALSE(r.passed);
  ASSERT_EQ(r.failures.size(), 2u);
  EXPECT_NE(r.failures[0].find("ext4 was skipped"), std::string::npos);
  EXPECT_NE(r.failures[1].find("squashfs was not reported"), std::string::npos);
  EXPECT_EQ(row(r, "squashfs")->status, CellStatus::missing);
}

TEST(Report, AllReportedModeRequiresEveryProbe) {
  auto r =
      report_with({completed_boot(1, 1, {{"a", ProbeStatus::pass}, {"b", ProbeStatus::fail}})});
  evaluate_variant(r, {{}, true});
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(row(r, "a")->required);
}

TEST(Report, WorstStatusOverBoots) {
  auto r = report_with({completed_boot(1, 1, {{"a", ProbeStatus::pass}}),
                        completed_boot(2, 1, {{"a", ProbeStatus::fail}}),
                        completed_boot(3, 1, {{"a", ProbeStatus::pass}})});
  evaluate_variant(r, {{"a"}, false});
  EXPECT_EQ(row(r, "a")->status, CellStatus::fail);
  EXPECT_FALSE(r.passed);
}

TEST(Report, TimedOutBootFailsWithItsReason) {
  BootRecord b;
  b.index = 1;
  b.outcome = BootOutcome::timeout;
  b.error = "kernel did not reach init within the 5 s timeout";
  b.console.tail = {"[    0.1] something", "[    0.2] stuck"};
  auto r = report_with({b});
  evaluate_variant(r, {{"ext4"}, false});
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.failures[0].find("kernel did not reach init"), std::string::npos);
  std::string table = render_table({r});
  EXPECT_NE(table.find("  | [    0.2] stuck"), std::string::npos) << table;
}

TEST(Report, ProtocolErrorsAndWrongArchFail) {
  auto b = completed_boot(1, 1, {{"a", ProbeStatus::pass}});
  b.console.protocol_errors.push_back("malformed end line");
  b.console.probe_arch = "arm64";
  auto r = report_with({b});
  evaluate_variant(r, {{"a"}, false});
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failures.size(), 2u);
}

TEST(Report, BootTimeMedianAndKvmTarget) {
  auto r = report_with({completed_boot(1, 100'000'000, {}), completed_boot(2, 300'000'000, {}),
                        completed_boot(3, 120'000'000, {})},
                       Accel::kvm);
  evaluate_variant(r, {{}, true, 125});
  ASSERT_TRUE(r.boot_time.median_boottime_ms.has_value());
  EXPECT_DOUBLE_EQ(*r.boot_time.median_boottime_ms, 120.0);
  EXPECT_TRUE(r.boot_time.met.value());
  EXPECT_TRUE(r.passed);

  evaluate_variant(r, {{}, true, 110});
  EXPECT_FALSE(r.boot_time.met.value());
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.failures.back().find("exceeds the KVM target"), std::string::npos);

  evaluate_variant(r, {{}, true, 110, false});  // reported, not enforced
  EXPECT_TRUE(r.passed);
}

TEST(Report, TcgBootTimeIsNotComparable) {
  auto r = report_with({completed_boot(1, 5'000'000'000, {})}, Accel::tcg);
  evaluate_variant(r, {{}, true, 125});
  EXPECT_FALSE(r.boot_time.comparable);
  EXPECT_FALSE(r.boot_time.met.has_value());
  EXPECT_TRUE(r.passed);
  EXPECT_NE(render_table({r}).find("TCG: not comparable"), std::string::npos);
}

TEST(Report, Median) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);
}

TEST(Report, TableHasCellsPerVariantAndProbe) {
  auto a = report_with(
      {completed_boot(1, 1, {{"ext4", ProbeStatus::pass}, {"kvm", ProbeStatus::skip}})});
  auto b = report_with({completed_boot(1, 1, {{"ext4", ProbeStatus::fail}})});
  b.variant = "6.12-x86_64";
  evaluate_variant(a, {{"ext4"}, false});
  evaluate_variant(b, {{"ext4"}, false});
  std::string t = render_table({a, b});
  EXPECT_NE(t.find("probe"), std::string::npos);
  EXPECT_NE(t.find("6.1-x86_64"), std::string::npos);
  EXPECT_NE(t.find("6.12-x86_64"), std::string::npos);
  EXPECT_NE(t.find("FAIL"), std::string::npos);
  // kvm: skip in a, not reported by b.
  size_t kvm = t.find("\nkvm");
  ASSERT_NE(kvm, std::string::npos);
  std::string line = t.substr(kvm + 1, t.find('\n', kvm + 1) - kvm - 1);
  EXPECT_NE(line.find("skip (opt)"), std::string::npos) << line;
  EXPECT_EQ(line.back(), '-') << line;
}

TEST(Report, JunitXml) {
  auto r = report_with({completed_boot(
      1, 1,
      {{"ext4", ProbeStatus::pass}, {"net<&>", ProbeStatus::fail}, {"kvm", ProbeStatus::skip}})});
  evaluate_variant(r, {{"ext4", "net<&>"}, false});
  std::string xml = junit_xml({r});
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\"", 0), 0u);
  EXPECT_NE(xml.find("<testsuites name=\"runner-kernel vmtest\" tests=\"4\" failures=\"1\" "
                     "errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"6.1-x86_64\" tests=\"4\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"net&lt;&amp;&gt;\""), std::string::npos);
  EXPECT_EQ(xml.find("net<&>"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"required probe fail\">"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"skip: kvm detail\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"accel\" value=\"tcg\"/>"), std::string::npos);
  // Balanced elements.
  auto count = [&](const std::string& s) {
    size_t n = 0;
    for (size_t p = xml.find(s); p != std::string::npos; p = xml.find(s, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<testcase "), count("</testcase>"));
  EXPECT_EQ(count("<testsuite "), count("</testsuite>"));
}

TEST(Report, JunitXmlBootFailureCarriesConsoleTail) {
  BootRecord b;
  b.outcome = BootOutcome::timeout;
  b.error = "kernel did not reach init within the 5 s timeout";
  b.console.tail = {"last \x01 line"};
  auto r = report_with({b});
  evaluate_variant(r, {{}, true});
  std::string xml = junit_xml({r});
  EXPECT_NE(xml.find("name=\"boot\""), std::string::npos);
  EXPECT_NE(xml.find("kernel did not reach init"), std::string::npos);
  EXPECT_NE(xml.find("last ? line"), std::string::npos);  // control character replaced
}

TEST(Report, ProfileAndSkipInEveryOutput) {
  auto legacy = report_with({completed_boot(1, 1, {{"ext4", ProbeStatus::pass}})});
  evaluate_variant(legacy, {{"ext4"}, false});
  VariantReport skipped;
  skipped.variant = "6.1-arm64/acpi";
  skipped.arch = "arm64";
  skipped.profile = "acpi";
  skipped.skipped = "profile acpi does not apply to arm64: no ACPI";
  skipped.passed = true;
  std::string t = render_table({legacy, skipped});
  EXPECT_NE(t.find("6.1-arm64/acpi"), std::string::npos);
  EXPECT_NE(t.find("SKIP"), std::string::npos) << t;
  EXPECT_NE(t.find("6.1-arm64/acpi: SKIP: profile acpi does not apply"), std::string::npos) << t;
  // Negative control: a report that was booted is never shown as skipped.
  EXPECT_EQ(render_table({legacy}).find("SKIP"), std::string::npos);

  std::string xml = junit_xml({legacy, skipped});
  EXPECT_NE(xml.find("<testsuite name=\"6.1-arm64/acpi\" tests=\"1\" failures=\"0\" "
                     "errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"profile acpi does not apply to arm64: no ACPI\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"profile\" value=\"mmio-legacy\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"profile\" value=\"acpi\"/>"), std::string::npos);

  auto doc = nlohmann::json::parse(results_json({legacy, skipped}));
  EXPECT_EQ(doc["variants"][0]["profile"], "mmio-legacy");
  EXPECT_TRUE(doc["variants"][0]["skipped"].is_null());
  EXPECT_EQ(doc["variants"][1]["profile"], "acpi");
  EXPECT_EQ(doc["variants"][1]["skipped"], "profile acpi does not apply to arm64: no ACPI");
  EXPECT_EQ(doc["passed"], true);
}

TEST(Report, JsonSchema) {
  auto r = report_with({completed_boot(1, 100'000'000, {{"ext4", ProbeStatus::pass}})}, Accel::kvm);
  r.accel_reason = "KVM: trial ran";
  evaluate_variant(r, {{"ext4", "net"}, false});
  auto doc = nlohmann::json::parse(results_json({r}));
  EXPECT_EQ(doc["schema"], "runner-kernel/vmtest-results/v1");
  EXPECT_EQ(doc["passed"], false);
  ASSERT_EQ(doc["variants"].size(), 1u);
  const auto& v = doc["variants"][0];
  for (const char* key : {"variant", "arch", "kernel", "vmm", "accel", "accel_reason", "passed",
                          "failures", "probes", "boot_time", "boots"}) {
    EXPECT_TRUE(v.contains(key)) << key;
  }
  EXPECT_EQ(v["accel"], "kvm");
  EXPECT_EQ(v["probes"][1]["probe"], "net");
  EXPECT_EQ(v["probes"][1]["status"], "missing");
  EXPECT_EQ(v["probes"][1]["required"], true);
  EXPECT_DOUBLE_EQ(v["boot_time"]["median_boottime_ms"].get<double>(), 100.0);
  EXPECT_EQ(v["boot_time"]["met"], true);
  const auto& boot = v["boots"][0];
  EXPECT_EQ(boot["outcome"], "completed");
  EXPECT_EQ(boot["boottime_ns"], 100000000u);
  EXPECT_EQ(boot["results"][0]["status"], "pass");
  EXPECT_TRUE(boot["console_tail"].is_array());
}

TEST(Report, WritesResultsAtomically) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("rk-vmtest-report-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto r = report_with({completed_boot(1, 1, {{"a", ProbeStatus::pass}})});
  evaluate_variant(r, {{"a"}, false});
  auto paths = write_results((dir / "out").string(), {r});
  ASSERT_EQ(paths.size(), 2u);
  write_results((dir / "out").string(), {r});  // overwrite in place
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "out")) {
    ++files;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
  }
  EXPECT_EQ(files, 2u);
  std::ifstream in(dir / "out" / "results.json");
  auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["passed"], true);
  // Unwritable target: an error, not a silent half file.
  EXPECT_THROW(write_results((dir / "out" / "results.json").string(), {r}), std::exception);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rk::vmtest
