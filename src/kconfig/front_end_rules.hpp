// Where the front end's behaviour differs between the kernel releases we follow. Only 5.10, 6.1
// and 6.12 are verified against conf; the cut-over releases in between are best guesses from
// the kernel history.
#pragma once

#include "kconfig/tree.hpp"

namespace rk::kconfig {

// Before 6.9 the lexer tracked files as shared 'struct file' records: the end of the top-level
// file also "closes" it (one more end-of-line token, then no current file), parser messages use
// the file of the statement's first token, syntax errors print the line after the statement's,
// and the recursive-inclusion report walks the per-file records.
inline bool legacy_file_tracking(const Dialect& d) {
  return d.code() < 6009;
}

// 'option modules/defconfig_list/allnoconfig_y' went away in 5.13 ('modules' became a keyword
// of its own): 5.10 has them, 6.1 doesn't.
inline bool has_option_statement(const Dialect& d) {
  return d.code() < 5013;
}

// Before 6.11 'config' and 'menuconfig' mark their symbol SYMBOL_OPTIONAL, choices may be named
// and tristate, and 'optional' exists.
inline bool legacy_choices(const Dialect& d) {
  return !d.new_choice_rules();
}

}  // namespace rk::kconfig
