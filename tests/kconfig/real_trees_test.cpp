// Parses the real kernel trees (5.10, 6.1, 6.12; x86_64 and arm64) with the live shell and the
// environment Kbuild gives conf. Checks that parsing succeeds without warnings, that every
// 'config'/'menuconfig' statement of the files read became a symbol, and reports parse time.
// Needs the trees `runner-kernel fetch` installs (`make test` fetches them; without them the
// tests skip, or fail under RK_NO_SKIP).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"
#include "../temp_dir.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/shell_runner.hpp"

namespace rk::kconfig {
namespace {

namespace fs = std::filesystem;

std::string makefile_value(const std::string& tree, const std::string& key) {
  std::ifstream in(tree + "/Makefile");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + " = ", 0) == 0) return line.substr(key.size() + 3);
  return {};
}

bool have_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

// Names defined by 'config'/'menuconfig' lines of the files the parser read. Help texts could
// hold such lines too; the kernel's don't.
std::set<std::string> defined_in_files(const Tree& tree) {
  static const std::regex def(R"(^[ \t]*(menu)?config[ \t]+([A-Za-z0-9_]+)[ \t]*(#.*)?$)");
  std::set<std::string> names;
  for (const SourceFile& f : tree.files()) {
    std::ifstream in(tree.srctree + "/" + f.name);
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
      if (std::regex_match(line, m, def)) names.insert(m[2]);
  }
  return names;
}

struct Case {
  std::string version, arch;
};

class RealTrees : public ::testing::TestWithParam<Case> {};

TEST_P(RealTrees, ParsesLikeConf) {
  const Case& c = GetParam();
  const std::string tree_dir = rk::testing::fetched_tree(c.version);
  if (tree_dir.empty())
    RK_SKIP() << "the " << c.version << " tree is not fetched (runner-kernel fetch " << c.version
              << ")";
  bool arm = c.arch == "arm64";
  std::string cc = arm ? "aarch64-linux-gnu-gcc" : "gcc";
  std::string ld = arm ? "aarch64-linux-gnu-ld" : "ld";
  if (!have_program(cc) || !have_program(ld)) GTEST_SKIP() << cc << " not installed";

  std::string kernelversion = makefile_value(tree_dir, "VERSION") + "." +
                              makefile_value(tree_dir, "PATCHLEVEL") + "." +
                              makefile_value(tree_dir, "SUBLEVEL");
  LiveShell live;
  std::string cc_version =
      live.run(cc + " --version | head -n 1", {{"PATH", "/usr/bin:/bin"}}, ".");

  // Kbuild runs conf in the object tree; $(cc-option) makes scratch directories there.
  rk::testing::TempDir objdir("rk-objtree");
  const std::string objtree = objdir.path().string();

  ParseOptions o;
  o.kconfig = "Kconfig";
  o.cwd = objtree;
  o.srctree = tree_dir;
  o.env = {{"PATH", std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"},
           {"HOME", "/root"},
           {"srctree", tree_dir},
           {"ARCH", c.arch},
           {"SRCARCH", arm ? "arm64" : "x86"},
           {"KERNELVERSION", kernelversion},
           {"CC", cc},
           {"LD", ld},
           {"HOSTCC", "gcc"},
           {"HOSTCXX", "g++"},
           {"RUSTC", "rustc"},
           {"BINDGEN", "bindgen"},
           {"PAHOLE", "pahole"},
           {"CC_VERSION_TEXT", cc_version},
           {"CLANG_FLAGS", ""}};
  RecordingShell recorder(live);
  Diagnostics diag;
  o.shell = &recorder;
  o.diag = &diag;
  o.finalize = false;

  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Tree> tree;
  try {
    tree = parse_kconfig(o);
  } catch (const KconfigError& e) {
    FAIL() << e.what();
  }
  double live_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  // Again with the recorded toolchain profile: the parse alone.
  ReplayShell replay(recorder.profile());
  o.shell = &replay;
  Diagnostics diag2;
  o.diag = &diag2;
  t0 = std::chrono::steady_clock::now();
  auto replayed = parse_kconfig(o);
  double parse_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  EXPECT_TRUE(diag.lines().empty()) << diag.lines().front();
  EXPECT_EQ(tree->dialect.code(), parse_dialect(c.version).code());

  std::set<std::string> ours;
  for (const Symbol* s : tree->symbols())
    if (!s->menus.empty()) ours.insert(s->name);
  std::set<std::string> expected = defined_in_files(*tree);
  EXPECT_EQ(ours.size(), expected.size());
  EXPECT_TRUE(ours == expected);
  EXPECT_EQ(replayed->symbol_count(), tree->symbol_count());
  EXPECT_GT(tree->files().size(), 1000u);

  std::printf(
      "[ timing ] %s %s: %zu symbols (%zu defined), %zu files, %zu $(shell) commands; "
      "parse %.0f ms with live shell, %.0f ms replayed\n",
      c.version.c_str(), c.arch.c_str(), tree->symbol_count(), ours.size(), tree->files().size(),
      recorder.profile().size(), live_ms, parse_ms);
  RecordProperty("parse_ms", static_cast<int>(parse_ms));
}

INSTANTIATE_TEST_SUITE_P(Kernels, RealTrees,
                         ::testing::Values(Case{"5.10", "x86_64"}, Case{"5.10", "arm64"},
                                           Case{"6.1", "x86_64"}, Case{"6.1", "arm64"},
                                           Case{"6.12", "x86_64"}, Case{"6.12", "arm64"}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.version + "_" + param_info.param.arch;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace rk::kconfig
