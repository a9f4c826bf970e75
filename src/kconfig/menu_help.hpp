// The help conf shows for a menu entry: the entry's help text followed by what is known about
// its symbol (name, type, range, where it is defined, its prompts with their dependencies and
// location in the menus, selects, implies, and who selects or implies it, each with the
// current values). Byte for byte what scripts/kconfig prints for the tree's release
// (menu_get_ext_help / get_symbol_str), e.g. in conf's line-oriented modes after '?'.
#pragma once

#include <cstddef>
#include <string>

#include "kconfig/config.hpp"

namespace rk::kconfig {

struct HelpOptions {
  // When non-zero, expressions are folded with "\\\n" to keep lines within this width, like
  // menuconfig's help screen (conf itself never folds).
  size_t max_width = 0;
};

// menu_get_ext_help: "CONFIG_<name>:\n\n<help>\n" (or the no-help sentence) and, for entries
// with a symbol, symbol_info(). Evaluates values on `config` the way conf does (visibility
// checks included).
std::string menu_help(Config& config, const Menu* menu, const HelpOptions& options = {});

// get_symbol_str: the details of one symbol, ending with an empty line.
std::string symbol_info(Config& config, const Symbol* sym, const HelpOptions& options = {});

// conf's sym_get_string_value: the value as last computed, as conf prints it.
std::string conf_string_value(Config& config, const Symbol* sym);

}  // namespace rk::kconfig
