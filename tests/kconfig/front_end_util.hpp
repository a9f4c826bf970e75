// Helpers for the front-end tests: parse a Kconfig tree held in memory (no finalize, so the
// tree is exactly what the grammar built) and look at the result, the diagnostics, the
// $(info,...) output and the error text.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kconfig/parse.hpp"
#include "tree_dump.hpp"

namespace rk::kconfig::testing {

// Answers $(shell,...) from a table ("" otherwise) and remembers how it was called.
class TableShell : public ShellRunner {
 public:
  std::map<std::string, std::string> answers;
  std::vector<std::string> commands;
  Environment last_env;
  std::string last_cwd;
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override {
    commands.push_back(command);
    last_env = env;
    last_cwd = cwd;
    auto it = answers.find(command);
    return it == answers.end() ? std::string() : it->second;
  }
};

struct FrontEnd {
  static constexpr const char* kDir = "/kc";

  std::map<std::string, std::string> files;  // name (relative to kDir) -> text
  Environment env;
  TableShell shell;
  Diagnostics diag;
  std::vector<std::string> info;
  std::unique_ptr<Tree> tree;
  std::string error;  // what() of the KconfigError, when parsing failed
  bool finalize = false;
  ParseLimits limits;

  FrontEnd() = default;
  explicit FrontEnd(const std::string& kconfig) { files["Kconfig"] = kconfig; }

  // Parses "Kconfig" as kernel `version`; false (with `error` set) on a KconfigError.
  bool parse(const std::string& version = "6.12") {
    ParseOptions o;
    o.kconfig = "Kconfig";
    o.cwd = kDir;
    o.env = env;
    o.shell = &shell;
    o.diag = &diag;
    o.dialect = parse_dialect(version);
    o.finalize = finalize;
    o.limits = limits;
    o.info = [this](const std::string& line) { info.push_back(line); };
    o.read_file = [this](const std::string& path, std::string& contents) {
      std::string prefix = std::string(kDir) + "/";
      if (path.compare(0, prefix.size(), prefix) != 0) return false;
      auto it = files.find(path.substr(prefix.size()));
      if (it == files.end()) return false;
      contents = it->second;
      return true;
    };
    try {
      tree = parse_kconfig(o);
      return true;
    } catch (const KconfigError& e) {
      error = e.what();
      return false;
    }
  }

  std::string dump() const { return dump_tree(*tree); }

  std::string warnings() const {
    std::string out;
    for (const std::string& line : diag.lines()) out += line + "\n";
    return out;
  }

  // The first menu entry (depth-first) defining `name`.
  const Menu* entry(const std::string& name) const {
    const Symbol* s = tree->find(name);
    return s && !s->menus.empty() ? s->menus.front() : nullptr;
  }
};

}  // namespace rk::kconfig::testing
