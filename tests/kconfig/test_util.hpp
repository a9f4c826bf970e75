// Helpers for engine tests: write a small Kconfig tree into a temporary directory, parse it
// with a scripted shell, and evaluate configurations over it.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "../temp_dir.hpp"
#include "kconfig/conf_modes.hpp"
#include "kconfig/config.hpp"
#include "kconfig/parse.hpp"

namespace rk::kconfig::testing {

// Answers $(shell,...) from a fixed table; unknown commands give "".
class ScriptedShell : public ShellRunner {
 public:
  std::map<std::string, std::string> answers;
  std::string run(const std::string& command, const Environment&, const std::string&) override {
    auto it = answers.find(command);
    return it == answers.end() ? std::string() : it->second;
  }
};

using rk::testing::TempDir;

// A parsed fixture: files under a temp dir, parsed as kernel release `version`.
struct Fixture {
  TempDir dir;
  ScriptedShell shell;
  Diagnostics diag;
  std::unique_ptr<Tree> tree;

  explicit Fixture(const std::string& kconfig, const std::string& version = "6.1",
                   std::map<std::string, std::string> extra_files = {}) {
    dir.write("Kconfig", kconfig);
    for (auto& [name, text] : extra_files) dir.write(name, text);
    ParseOptions o;
    o.kconfig = "Kconfig";
    o.cwd = dir.path();
    o.srctree = dir.path();
    o.shell = &shell;
    o.diag = &diag;
    o.dialect = parse_dialect(version);
    tree = parse_kconfig(o);
  }

  FileAccess files() const {
    FileAccess f;
    f.cwd = dir.path();
    f.srctree = dir.path();
    return f;
  }

  // Runs a conf mode with `dotconfig` as the existing .config (when non-empty).
  ConfOutcome run(ConfMode mode, const std::string& dotconfig = "",
                  const std::string& defconfig = "") {
    if (!dotconfig.empty()) dir.write(".config", dotconfig);
    if (!defconfig.empty()) dir.write("defconfig", defconfig);
    Config config(*tree, &diag);
    ConfRequest req;
    req.mode = mode;
    req.files = files();
    if (!defconfig.empty()) req.defconfig_file = "defconfig";
    return run_conf_mode(config, req);
  }

  // The .config body without conf's four-line heading.
  static std::string body(const ConfOutcome& out) {
    const std::string& text = *out.config;
    size_t pos = 0;
    for (int i = 0; i < 4; ++i) pos = text.find('\n', pos) + 1;
    return text.substr(pos);
  }
};

}  // namespace rk::kconfig::testing
