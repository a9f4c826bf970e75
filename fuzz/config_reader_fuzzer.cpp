// libFuzzer target for the .config reader and the writers that follow it.
//
// A fixed Kconfig tree covering every symbol type, a choice, ranges, selects and menus is parsed
// once; each input is read as a .config (olddefconfig), then rendered as .config and as
// savedefconfig. Byte 0 picks the dialect (5.10, 6.1, 6.12). Anything but a clean return is a
// bug: the reader must accept arbitrary bytes, warn, and go on.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "kconfig/conf_modes.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/shell_runner.hpp"

namespace {

using namespace rk::kconfig;

constexpr const char* kKconfig = R"(
mainmenu "fuzz"
config MODULES
	bool "modules"
	modules
menu "types"
config B
	bool "b"
	default y
	select S
config T
	tristate "t"
	depends on B
	default m
config I
	int "i"
	range 1 100
	default 10
config H
	hex "h"
	range 0x10 0xff
	default 0x20
config S
	string "s"
	default "x"
endmenu
choice
	prompt "c"
	default C2
config C1
	bool "c1"
config C2
	bool "c2"
config C3
	bool "c3"
endchoice
config HIDDEN
	bool
	default B && !T
)";

struct ParsedTree {
  std::unique_ptr<Tree> tree;
};

const Tree& tree_for(int dialect) {
  static std::map<int, ParsedTree> trees;
  auto it = trees.find(dialect);
  if (it != trees.end()) return *it->second.tree;
  static const Dialect kDialects[] = {{5, 10}, {6, 1}, {6, 12}};
  ReplayShell shell{ToolchainProfile()};
  shell.set_fallback(std::string());
  Diagnostics diag;
  ParseOptions o;
  o.kconfig = "Kconfig";
  o.cwd = "/fuzz";
  o.shell = &shell;
  o.diag = &diag;
  o.dialect = kDialects[dialect];
  std::string modules_kw = dialect == 0 ? "option modules" : "modules";
  std::string text = kKconfig;
  text.replace(text.find("\tmodules\n") + 1, 7, modules_kw);
  o.read_file = [text](const std::string& path, std::string& contents) {
    if (path != "/fuzz/Kconfig") return false;
    contents = text;
    return true;
  };
  ParsedTree& slot = trees[dialect];
  slot.tree = parse_kconfig(o);
  return *slot.tree;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Tree& tree = tree_for(data[0] % 3);
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  Diagnostics diag;
  Config config(tree, &diag);
  FileAccess files;
  files.read_override = [&input](const std::string& name) -> std::optional<std::string> {
    if (name == ".config") return input;
    return std::nullopt;
  };
  ConfRequest req;
  req.mode = ConfMode::OldDefconfig;
  req.files = files;
  ConfOutcome out = run_conf_mode(config, req);
  if (!out.config) __builtin_trap();
  Config again(tree, &diag);
  req.mode = ConfMode::SaveDefconfig;
  run_conf_mode(again, req);
  return 0;
}
