// Scripted menuconfig sessions in an 80x24 tmux pane: keys in (send-keys), screens out
// (capture-pane), then the fragments written and the configurations they resolve to.
#include <sys/wait.h>
#include <unistd.h>
#include "../rk_skip.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace rk::tui {
namespace {

using ::testing::HasSubstr;
using testing::MiniMatrix;
using ::testing::Not;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

bool have_tmux() {
  return std::system("command -v tmux >/dev/null 2>&1") == 0;
}

// A private tmux server (its own socket) running one command in an 80x24 window.
class Tmux {
 public:
  explicit Tmux(const std::string& command) {
    socket_ = "rk-tui-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++);
    run(tmux() + " -f /dev/null new-session -d -x 80 -y 24 -s t " + quote(command));
    run(tmux() + " set-option -g escape-time 0");
  }
  ~Tmux() { run(tmux() + " kill-server"); }

  void keys(const std::string& k) { run(tmux() + " send-keys -t t " + k); }
  void text(const std::string& t) { run(tmux() + " send-keys -t t -l " + quote(t)); }
  std::string screen() { return run(tmux() + " capture-pane -p -t t"); }
  void resize(int w, int h) {
    run(tmux() + " resize-window -t t -x " + std::to_string(w) + " -y " + std::to_string(h));
  }
  std::string pane_pid() {
    std::string s = run(tmux() + " list-panes -t t -F '#{pane_pid}'");
    return s.substr(0, s.find('\n'));
  }

  // Waits until the screen satisfies `ok` (10 s at most); returns the last screen.
  std::string wait(const std::function<bool(const std::string&)>& ok) {
    std::string s;
    for (int i = 0; i < 400; ++i) {
      s = screen();
      if (ok(s)) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "timed out; screen:\n" << s;
    return s;
  }
  std::string wait_for(const std::string& text) {
    return wait([&](const std::string& s) { return s.find(text) != std::string::npos; });
  }
  std::string wait_gone(const std::string& text) {
    return wait([&](const std::string& s) { return s.find(text) == std::string::npos; });
  }

 private:
  std::string tmux() const { return "tmux -L " + socket_; }
  std::string socket_;
  static inline int counter_ = 0;
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tmux()) RK_SKIP() << "tmux is not installed (apt-get install tmux)";
  }
  // The menuconfig command line over the copied fixture; `after` runs in the same shell.
  std::string command(const std::string& extra = "", const std::string& after = "") {
    std::string cmd = "cd " + quote(mini_.dir()) + " && env TERM=screen";
    for (const char* b : {"5.10", "6.1", "6.12"}) {
      std::string var = std::string("RK_TREE_") + b;
      for (char& c : var)
        if (c == '.') c = '_';
      cmd += " " + var + "=" + quote(mini_.tree(b));
    }
    cmd += " " + quote(RK_CLI) + " menuconfig --matrix " + quote(mini_.matrix_path()) + extra;
    if (!after.empty()) cmd += "; " + after;
    return "sh -c " + quote(cmd);
  }
  MiniMatrix mini_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Screen lines without trailing blanks (capture-pane pads nothing, but be safe).
std::string normalize(const std::string& s) {
  std::string out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  while (out.size() > 1 && out.substr(out.size() - 2) == "\n\n") out.pop_back();
  return out;
}

TEST_F(SessionTest, GoldenFirstScreen) {
  Tmux t(command());
  std::string screen = normalize(t.wait_for("Kernel hacking"));
  std::string golden_path = std::string(RK_FIXTURES) + "/golden/first-screen.txt";
  if (std::getenv("RK_UPDATE_GOLDEN")) {
    std::ofstream(golden_path) << screen;
    GTEST_SKIP() << "golden screen rewritten";
  }
  EXPECT_EQ(screen, read_file(golden_path));
}

TEST_F(SessionTest, NavigateSearchChangeRefuseSave) {
  Tmux t(command("", "echo MENUCONFIG-EXIT=$?; sleep 30"));
  t.wait_for("Kernel hacking");
  // Navigate: down to "General setup" (4th row) and in.
  t.keys("Down Down Down");
  t.keys("Enter");
  std::string s = t.wait_for("> General setup");
  EXPECT_THAT(s, HasSubstr("Local version"));
  EXPECT_THAT(s, HasSubstr("Kernel log buffer size"));
  // Change SWAP (3rd row) for every variant.
  t.keys("Down Down");
  t.keys("n");
  s = t.wait_for("CONFIG_SWAP=n: set in 6 of 6");
  // Try MEMCG=y: only arm64 has cgroups, the x86 columns refuse and say why.
  t.keys("Down Down Down");
  t.keys("y");
  s = t.wait_for("not set in 3 of 6");
  EXPECT_THAT(s, HasSubstr("6.1-x86_64"));
  EXPECT_THAT(s, HasSubstr("NOT SET: depends on CGROUPS [=n]"));
  EXPECT_THAT(s, HasSubstr("CONFIG_CGROUPS=y"));
  t.keys("Escape");
  t.wait_gone("not set in 3 of 6");
  // Help on MEMCG: conf's help plus the explanation.
  t.keys("?");
  s = t.wait_for("Help: CONFIG_MEMCG");
  EXPECT_THAT(s, HasSubstr("Provides control over the memory footprint"));
  t.keys("Escape");
  t.wait_gone("Help: CONFIG_MEMCG");
  // Back to the top, search for vsock and jump to the result.
  t.keys("Escape");
  t.wait_gone("> General setup");
  t.keys("/");
  t.wait_for("Search (symbol name or prompt):");
  t.text("vsock");
  t.keys("Enter");
  s = t.wait_for("Search 'vsock': 2 result(s)");
  EXPECT_THAT(s, HasSubstr("VIRTIO_VSOCKETS"));
  t.keys("Enter");
  s = t.wait_for("> Networking support");
  EXPECT_THAT(s, HasSubstr("Virtual Socket protocol"));
  // A change for one column: select 6.12-arm64 (column 6), Kernel hacking > DEBUG_KERNEL=y.
  t.keys("Escape");
  t.wait_gone("> Networking support");
  t.keys("6");
  t.wait_for("Changes apply to: 6.12-arm64");
  t.keys("End");
  t.keys("Enter");
  t.wait_for("> Kernel hacking");
  t.keys("y");
  s = t.wait_for("CONFIG_DEBUG_KERNEL=y: set in 1 of 1");
  EXPECT_THAT(s, HasSubstr("Compile the kernel with"));  // now visible there
  t.keys("6");
  t.wait_for("Changes apply to: all");
  // The pending fragment diff.
  t.keys("d");
  s = t.wait_for("Pending fragment diff");
  EXPECT_THAT(s, HasSubstr("+CONFIG_SWAP=n"));
  EXPECT_THAT(s, HasSubstr("+++ b/configs/arch/arm64.config"));
  EXPECT_THAT(s, HasSubstr("+CONFIG_MEMCG=y"));
  EXPECT_THAT(s, HasSubstr("+CONFIG_DEBUG_KERNEL=y"));
  t.keys("Escape");
  t.wait_gone("Pending fragment diff");
  // Save, then quit without a question.
  t.keys("s");
  s = t.wait_for("Saved ");
  EXPECT_THAT(s, HasSubstr("arch/arm64.config"));
  t.keys("q");
  s = t.wait_for("MENUCONFIG-EXIT=0");
  EXPECT_THAT(s, Not(HasSubstr("Kernel hacking")));  // the terminal was restored

  EXPECT_EQ(mini_.read("configs/base/core.config"),
            "# Firecracker guests find their devices on virtio-mmio.\n"
            "CONFIG_FIRECRACKER_GUEST=y\n\n"
            "# The runner talks to the host over vsock.\n"
            "CONFIG_NET=y\nCONFIG_VSOCKETS=y\n\n"
            "CONFIG_LOG_BUF_SHIFT=18  # CI logs are read after the job\n"
            "CONFIG_SWAP=n\n");
  EXPECT_THAT(mini_.read("configs/arch/arm64.config"), HasSubstr("\nCONFIG_MEMCG=y\n"));
  EXPECT_THAT(mini_.read("configs/variant/6.12-arm64.config"), HasSubstr("CONFIG_DEBUG_KERNEL=y"));
  EXPECT_THAT(mini_.read("configs/arch/x86_64.config"), Not(HasSubstr("MEMCG")));

  auto ws = mini_.workspace();
  for (const variants::Variant& v : ws->matrix().variants) {
    std::string text = ws->resolve(v).config_text;
    EXPECT_THAT(text, HasSubstr("# CONFIG_SWAP is not set")) << v.name;
    bool arm = v.name.find("arm64") != std::string::npos;
    EXPECT_EQ(text.find("CONFIG_MEMCG=y") != std::string::npos, arm) << v.name;
    EXPECT_EQ(text.find("CONFIG_DEBUG_KERNEL=y") != std::string::npos, v.name == "6.12-arm64")
        << v.name;
  }
}

TEST_F(SessionTest, QuitAsksWhenUnsavedAndFocusFollowsTheOption) {
  Tmux t(command(" --focus 6.1-arm64", "echo MENUCONFIG-EXIT=$?; sleep 30"));
  std::string s = t.wait_for("Kernel hacking");
  EXPECT_THAT(s, HasSubstr("4>6.1"));  // the focused column
  t.keys("Down Down Down Enter");
  t.wait_for("> General setup");
  t.keys("Down Down n");
  t.wait_for("CONFIG_SWAP=n: set in 6 of 6");
  t.keys("q");
  t.wait_for("Save the pending changes to the fragments?");
  t.keys("Escape");  // stay
  t.wait_gone("Save the pending changes");
  t.keys("q");
  t.wait_for("Save the pending changes to the fragments?");
  t.keys("n");
  t.wait_for("MENUCONFIG-EXIT=0");
  EXPECT_THAT(mini_.read("configs/base/core.config"), Not(HasSubstr("SWAP")));
}

TEST_F(SessionTest, FollowsResizesAndRestoresTheTerminalWhenKilled) {
  Tmux t(command("", "echo MENUCONFIG-EXIT=$?; sleep 30"));
  t.wait_for("Kernel hacking");
  t.resize(120, 30);
  std::string s = t.wait([](const std::string& scr) {
    std::istringstream in(scr);
    std::string line;
    size_t lines = 0, widest = 0;
    while (std::getline(in, line)) {
      ++lines;
      widest = std::max(widest, line.size());
    }
    return lines >= 29 && widest > 100;
  });
  EXPECT_THAT(s, HasSubstr("Kernel hacking"));
  t.resize(80, 24);
  t.wait([](const std::string& scr) {
    std::istringstream in(scr);
    std::string line;
    size_t widest = 0;
    while (std::getline(in, line)) widest = std::max(widest, line.size());
    return widest <= 80;
  });
  // SIGTERM to the menuconfig process (the shell's child).
  std::string shell = t.pane_pid();
  std::string child = run("cat /proc/" + shell + "/task/" + shell + "/children");
  child = child.substr(0, child.find(' '));
  ASSERT_FALSE(child.empty());
  run("kill -TERM " + child);
  s = t.wait_for("MENUCONFIG-EXIT=143");
  EXPECT_THAT(s, Not(HasSubstr("Kernel hacking")));
}

}  // namespace
}  // namespace rk::tui
