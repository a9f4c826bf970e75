// How the kernel releases we follow differ in scripts/kconfig, one named rule per behaviour.
// Code elsewhere asks a rule ("does this release write rustc_cfg?"), never compares release
// numbers, so a change of behaviour between releases is found and changed here.
//
// Only 5.10, 6.1 and 6.12 are verified against conf, result for result. A rule changing
// between two of them names the release of the kernel change when known; where it is not, the
// cut-over is placed at the first verified release showing the new behaviour (stated as "seen in
// <release>"), which is exact for every release the tool builds.
#pragma once

#include <cstdint>
#include <string_view>

namespace rk::kconfig {

// The release a tree comes from, which selects conf's behaviour.
struct Dialect {
  int version = 6;
  int patchlevel = 1;
  // 6.1 -> 6001: ordering only; compare with the rules below, not with numbers.
  constexpr int code() const { return version * 1000 + patchlevel; }
  constexpr bool at_least(const Dialect& release) const { return code() >= release.code(); }
  // 6.11 rewrote choices (scripts/kconfig in 6.11): no tristate or named choices, no
  // 'optional', selection by user choice / default / first visible member.
  constexpr bool new_choice_rules() const { return at_least({6, 11}); }
};

// The newest release verified against conf: the dialect of a tree whose release is unknown.
inline constexpr Dialect kNewestDialect{6, 12};

// "6.1.192", "6.12", "5.10.0-rc1" -> {6, 1}; unparsable text gives kNewestDialect.
Dialect parse_dialect(std::string_view version);

// Releases where a word of lexer.l became or stopped being a keyword (see token.cpp's table).
// 5.13 removed 'option' and its arguments ('option modules' became the 'modules' keyword).
inline constexpr Dialect kOptionStatementRemoved{5, 13};
// 6.11's choice rewrite removed 'optional'.
inline constexpr Dialect kChoiceRewrite{6, 11};
// 6.18 added 'transitional'.
inline constexpr Dialect kTransitionalKeyword{6, 18};

// --- front end -------------------------------------------------------------------------------

// Before 6.9 the lexer tracked files as shared 'struct file' records: the end of the top-level
// file also "closes" it (one more end-of-line token, then no current file), parser messages use
// the file of the statement's first token, syntax errors print the line after the statement's,
// and the recursive-inclusion report walks the per-file records.
constexpr bool legacy_file_tracking(const Dialect& d) {
  return !d.at_least({6, 9});
}

// 'option modules/defconfig_list/allnoconfig_y' went away in 5.13: 5.10 has them, 6.1 doesn't.
constexpr bool has_option_statement(const Dialect& d) {
  return !d.at_least(kOptionStatementRemoved);
}

// Before 6.11 'config' and 'menuconfig' mark their symbol SYMBOL_OPTIONAL, choices may be named
// and tristate, and 'optional' exists.
constexpr bool legacy_choices(const Dialect& d) {
  return !d.new_choice_rules();
}

// conf's symbol hash table: 9973 buckets, then 1 << 14 with hashtable.h (seen in 6.12). Its
// iteration order is the order of every "for all symbols" loop of conf.
constexpr uint32_t symbol_hash_buckets(const Dialect& d) {
  return d.at_least({6, 12}) ? (1u << 14) : 9973u;
}

// 6.12 reworked expr_eliminate_dups() and expr_transform(): operands of a nested and/or are no
// longer levelled first, duplicate elimination runs once instead of to a fixed point, and !!A
// is not transformed again.
constexpr bool single_pass_expr_simplifier(const Dialect& d) {
  return d.at_least({6, 12});
}

// --- .config reading and writing -------------------------------------------------------------

// Where conf looks for starting values without a .config: before 6.0 the defaults of the
// 'option defconfig_list' symbol; from 6.0 the words of $KCONFIG_DEFCONFIG_LIST.
constexpr bool uses_defconfig_list(const Dialect& d) {
  return !d.at_least({6, 0});
}

// Before 6.12 conf reads .config and the previous auto.conf leniently: line endings are looked
// at in place, "# CONFIG_FOO is not set" matches by prefix, a line without '=' is skipped
// silently, and (in auto.conf) a choice value settles its choice. 6.12 strips line endings
// first, wants "is not set" exactly, and warns about unexpected data.
constexpr bool lenient_config_reader(const Dialect& d) {
  return !d.at_least({6, 12});
}

// From 5.11 (seen in 6.1) a "#" line is only a "# CONFIG_FOO is not set" when a space follows
// the '#', and KCONFIG_WARN_UNKNOWN_SYMBOLS makes unknown symbols a warning.
constexpr bool strict_config_comments(const Dialect& d) {
  return d.at_least({5, 11});
}

// Before 5.11 conf_read_simple() handled "# CONFIG_FOO is not set" itself: only bool and
// tristate symbols take it, without the checks of an assigned value.
constexpr bool legacy_is_not_set(const Dialect& d) {
  return !d.at_least({5, 11});
}

// Before 5.11 "# end of <menu>" is written while climbing out of a menu, for visible menus
// without a symbol; from 5.11 it is written for every menu left.
constexpr bool legacy_end_of_menu_markers(const Dialect& d) {
  return !d.at_least({5, 11});
}

// Before 5.11, 'option allnoconfig_y' symbols get y in allnoconfig.
constexpr bool allnoconfig_y_applies(const Dialect& d) {
  return !d.at_least({5, 11});
}

// KCONFIG_WERROR makes warnings about the input file, and unmet dependencies, fatal (seen in
// 6.1).
constexpr bool supports_kconfig_werror(const Dialect& d) {
  return d.at_least({6, 1});
}

// randconfig's "KCONFIG_SEED=0x..." goes to stdout (seen in 6.1); 5.10 prints it on stderr.
constexpr bool randconfig_seed_on_stdout(const Dialect& d) {
  return d.at_least({6, 1});
}

// 6.12's oldconfig reports a symbol left without a value at the end of input.
constexpr bool reports_no_value_at_eof(const Dialect& d) {
  return d.at_least({6, 12});
}

// 5.10's "Location:" of a help text: the chain starts at the entry's parent menu, every menu of
// it is checked for visibility (a side effect conf has), and an empty chain prints nothing.
constexpr bool legacy_help_location(const Dialect& d) {
  return !d.at_least({6, 1});
}

// --- include/config and include/generated ----------------------------------------------------

// 5.10 quotes string values in auto.conf; later releases do not (seen in 6.1).
constexpr bool auto_conf_quotes_strings(const Dialect& d) {
  return !d.at_least({6, 1});
}

// autoconf.h's heading has an empty comment line above and below the title in 5.10.
constexpr bool autoconf_h_heading_with_blank_lines(const Dialect& d) {
  return !d.at_least({6, 1});
}

// include/generated/rustc_cfg is written from 6.1 (Rust support).
constexpr bool writes_rustc_cfg(const Dialect& d) {
  return d.at_least({6, 1});
}

// The per-symbol dependency files are include/config/FOO_BAR (seen in 6.1); 5.10 has
// include/config/foo/bar.h, creating the directories as it goes, and always writes
// include/config/auto.conf.cmd rather than <KCONFIG_AUTOCONFIG>.cmd.
constexpr bool flat_dependency_files(const Dialect& d) {
  return d.at_least({6, 1});
}

// Layout of auto.conf.cmd: 5.10 ends the file list without a continuation and puts
// $(deps_config) on its own line; 6.1 continues every line; 6.12 names the target
// 'autoconfig' and lists the files oldest first.
enum class AutoConfCmdLayout { k5_10, k6_1, k6_12 };
constexpr AutoConfCmdLayout auto_conf_cmd_layout(const Dialect& d) {
  return d.at_least({6, 12})  ? AutoConfCmdLayout::k6_12
         : d.at_least({6, 1}) ? AutoConfCmdLayout::k6_1
                              : AutoConfCmdLayout::k5_10;
}

// When conf_write_autoconf() calculates symbol values, which decides what conf's lazy
// evaluation sees: while writing each one (5.10), after touching the dependency files (6.1),
// or all of them before (6.12, whose conf_touch_deps() then skips only choices; before, it
// calculates each symbol, MODULES first, and skips unwritable and unnamed ones).
enum class AutoconfCalcOrder { while_writing, after_touching, before_touching };
constexpr AutoconfCalcOrder autoconf_calc_order(const Dialect& d) {
  return d.at_least({6, 12})  ? AutoconfCalcOrder::before_touching
         : d.at_least({6, 1}) ? AutoconfCalcOrder::after_touching
                              : AutoconfCalcOrder::while_writing;
}

}  // namespace rk::kconfig
