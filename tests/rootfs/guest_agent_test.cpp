#include "rootfs/guest_agent.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../temp_dir.hpp"
#include "process/run.hpp"

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
  EXPECT_THAT(agent, HasSubstr("run_scenario systemd-boot "));
  EXPECT_THAT(agent, HasSubstr("run_scenario docker-run "));
  EXPECT_THAT(unit, HasSubstr("ConditionKernelCommandLine=rk.agent"));
  EXPECT_THAT(unit, HasSubstr("Type=simple"));
  EXPECT_EQ(link, "/etc/systemd/system/rk-agent.service");
}

}  // namespace
}  // namespace rk::rootfs
