#include "rootfs/guest_agent.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <regex>
#include <set>

#include "../temp_dir.hpp"
#include "process/run.hpp"
#include "variants/matrix.hpp"

namespace rk::rootfs {
namespace {

using ::testing::HasSubstr;

// `sh -n`: the script parses (dash, as /bin/sh in the Debian guest).
int shell_syntax_status(const rk::testing::TempDir& dir, const std::string& text) {
  dir.write("script.sh", text);
  int status = -1;
  process::capture({{"sh", "-n", dir.file("script.sh")}}, &status);
  return status;
}

TEST(GuestAgent, ScriptsParseAsPosixShell) {
  rk::testing::TempDir dir("rk-agent");
  int scripts = 0;
  for (const GuestFile& f : guest_agent_files()) {
    if (!f.symlink.empty() || f.path.find("systemd") != std::string::npos) continue;
    EXPECT_EQ(shell_syntax_status(dir, f.content), 0) << f.path;
    ++scripts;
  }
  EXPECT_EQ(scripts, 2);
  // The check itself catches a broken script.
  EXPECT_NE(shell_syntax_status(dir, "if true; then echo x\n"), 0);
}

TEST(GuestAgent, SpeaksTheProbeProtocolAndRunsOnlyWhenAsked) {
  std::string agent, unit, link;
  for (const GuestFile& f : guest_agent_files()) {
    if (f.path == "/usr/local/sbin/rk-agent") agent = f.content;
    if (f.path == "/etc/systemd/system/rk-agent.service") unit = f.content;
    if (f.path.find("multi-user.target.wants/") != std::string::npos) link = f.symlink;
  }
  EXPECT_THAT(agent, HasSubstr("printf '\\nrk-probe: %s\\n'"));
  EXPECT_THAT(agent, HasSubstr("say \"begin workload-1 $arch\""));
  EXPECT_THAT(agent, HasSubstr("say \"end $passed $failed $skipped\""));
  EXPECT_THAT(agent, HasSubstr("systemd-boot:900:scenario_systemd_boot"));
  EXPECT_THAT(agent, HasSubstr("docker-run:600:scenario_docker_run"));
  EXPECT_THAT(unit, HasSubstr("ConditionKernelCommandLine=rk.agent"));
  EXPECT_THAT(unit, HasSubstr("Type=simple"));
  EXPECT_EQ(link, "/etc/systemd/system/rk-agent.service");
}

std::string guest_file(const std::string& path) {
  for (const GuestFile& f : guest_agent_files()) {
    if (f.path == path) return f.content;
  }
  return "";
}

// The agent's list (`name:limit:function \` lines): every function is defined in the
// scenarios file, every name is unique, systemd-boot runs first.
TEST(GuestAgent, EveryListedScenarioIsDefinedOnce) {
  const std::string agent = guest_file("/usr/local/sbin/rk-agent");
  const std::string scenarios = guest_file("/usr/local/lib/rk-agent/scenarios.sh");
  std::regex entry(R"(\n\s+([a-z0-9-]+):([0-9]+):(scenario_[a-z0-9_]+)[ ;])");
  std::set<std::string> names;
  std::vector<std::string> order;
  for (std::sregex_iterator it(agent.begin(), agent.end(), entry), end; it != end; ++it) {
    std::string name = (*it)[1], fn = (*it)[3];
    EXPECT_TRUE(names.insert(name).second) << name << " listed twice";
    EXPECT_THAT(scenarios, HasSubstr("\n" + fn + "() {")) << fn;
    EXPECT_GT(std::stoi((*it)[2]), 0) << name;
    order.push_back(name);
  }
  ASSERT_GE(order.size(), 10u);
  EXPECT_EQ(order.front(), "systemd-boot");
  for (const char* name :
       {"docker-publish", "docker-bridge-dns", "docker-memory-limit", "docker-cpu-pids-limits",
        "buildx-build", "compose-healthcheck", "docker-iptables-nft", "docker-iptables-legacy"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

// The scenarios variants.toml declares are the agent's: a declared name the agent does not run
// would fail every variant as "never reported"; this says which name, before any boot.
TEST(GuestAgent, EveryScenarioTheMatrixDeclaresIsOneTheAgentRuns) {
  const std::string agent = guest_file("/usr/local/sbin/rk-agent");
  std::regex entry(R"(\n\s+([a-z0-9-]+):[0-9]+:scenario_[a-z0-9_]+[ ;])");
  std::set<std::string> runs;
  for (std::sregex_iterator it(agent.begin(), agent.end(), entry), end; it != end; ++it) {
    runs.insert((*it)[1]);
  }
  auto matrix = variants::Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml");
  for (const auto& v : matrix.variants) {
    auto declared = matrix.scenarios_of(v);
    EXPECT_GE(declared.size(), 15u) << v.name;
    for (const auto& name : declared) EXPECT_TRUE(runs.count(name)) << v.name << ": " << name;
    const std::string arch = matrix.arch_of(v).name;
    const char* own = arch == "arm64" ? "armhf" : "binfmt-arm64";
    const char* other = arch == "arm64" ? "binfmt-arm64" : "armhf";
    EXPECT_EQ(std::count(declared.begin(), declared.end(), own), 1) << v.name;
    EXPECT_EQ(std::count(declared.begin(), declared.end(), other), 0) << v.name;
  }
  // The check can fail: a name the agent does not run.
  EXPECT_FALSE(runs.count("docker-swarm"));
}

// need_arch compares with `uname -m`, which says aarch64, not arm64: a scenario asking for a
// name uname never prints would skip everywhere (and fail wherever it is declared).
TEST(GuestAgent, NeedArchNamesWhatUnameMachinePrints) {
  const std::string scenarios = guest_file("/usr/local/lib/rk-agent/scenarios.sh");
  const std::set<std::string> machines = {"x86_64", "aarch64"};
  std::regex call(R"(\n\s+need_arch ([^\s]+))");
  int calls = 0;
  for (std::sregex_iterator it(scenarios.begin(), scenarios.end(), call), end; it != end; ++it) {
    EXPECT_TRUE(machines.count((*it)[1])) << (*it)[1];
    ++calls;
  }
  EXPECT_GE(calls, 2);
  EXPECT_FALSE(machines.count("arm64"));  // the mistake this catches
}

// A scenario whose kernel lacks a setting it declares exits 77 (skip) with the reason as its
// detail on fd 3, before doing anything; with the setting built in it goes on.
TEST(GuestAgent, NeedConfigSkipsWithTheReason) {
  rk::testing::TempDir dir("rk-agent");
  dir.write("scenarios.sh", guest_file("/usr/local/lib/rk-agent/scenarios.sh"));
  dir.write("bin/zcat", "#!/bin/sh\nprintf 'CONFIG_A=y\\nCONFIG_B=m\\n# CONFIG_C is not set\\n'\n");
  ::chmod(dir.file("bin/zcat").c_str(), 0755);
  auto run = [&](const std::string& call) {
    std::string script = "exec 3> " + dir.file("detail") + "; PATH=" + dir.file("bin") +
                         ":$PATH; . " + dir.file("scenarios.sh") + "; " + call +
                         "; echo went-on >&3";
    int status = -1;
    process::capture({{"sh", "-c", script}}, &status);
    return std::make_pair(status, dir.read("detail"));
  };
  struct Case {
    const char* call;
    int status;
    const char* detail;
  };
  for (const Case& c :
       {Case{"need_config CONFIG_A CONFIG_B", 77, "needs CONFIG_B=y (kernel has m)\n"},
        Case{"need_config CONFIG_C", 77, "needs CONFIG_C=y (kernel has not set)\n"},
        Case{"need_config CONFIG_A", 0, "went-on\n"},
        Case{"need_cmd rk-no-such-command", 77, "needs rk-no-such-command in the image\n"}}) {
    auto [status, detail] = run(c.call);
    EXPECT_EQ(status, c.status) << c.call;
    EXPECT_EQ(detail, c.detail) << c.call;
  }
}

}  // namespace
}  // namespace rk::rootfs
