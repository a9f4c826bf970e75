// `config lint`: checks every resolved variant against the rules of configs/rules.toml and the
// built-in rules that are code:
//
//   builtin-no-modules    no symbol resolves to m (we ship one image and no module tree);
//   builtin-reasons       every fragment setting carries a reason (trailing or paragraph comment);
//   (per rule)            a rule naming a symbol the variant's tree does not define fails, so a
//                         renamed or removed symbol cannot make a rule pass silently.
//
// Rules file format (see its header): [[rule]] with id, group, optional when, require, optional
// any_of, optional arches / branches, reason. Conditions are SYM=VALUE or SYM!=VALUE (no CONFIG_
// prefix); VALUE is y, m, n, a number or a quoted string; SYM=n holds when the symbol is n or
// absent from the .config.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {

// The settings of a .config (or fragment) text: CONFIG_X=value as written (strings keep their
// quotes) and "# CONFIG_X is not set" as "n". Other lines are ignored; a later line wins.
struct ConfigValues {
  std::vector<std::pair<std::string, std::string>> entries;  // first-seen order, final values
  std::map<std::string, std::string> by_symbol;

  const std::string* find(const std::string& symbol) const;
  size_t size() const { return entries.size(); }
};
ConfigValues parse_config_values(std::string_view text);

struct LintCondition {
  std::string symbol;
  bool negated = false;  // SYM!=VALUE
  std::string value;     // normalised: y, m, n, a number, or the unquoted string
  std::string text;      // as written in the rules file
};

struct LintRule {
  std::string id;
  std::string group;
  std::vector<LintCondition> when;
  std::vector<LintCondition> require;
  std::vector<LintCondition> any_of;
  std::vector<std::string> arches;    // empty: every arch
  std::vector<std::string> branches;  // empty: every branch
  std::string reason;
  int line = 0;

  bool applies_to(const std::string& branch, const std::string& arch) const;
};

struct RuleSet {
  std::string path;
  std::vector<LintRule> rules;
  std::vector<std::string> groups;  // in order of first use
};

// Throws VariantsError "path:line: ..." on unknown keys, missing fields, duplicate ids, malformed
// conditions, and (when `matrix` is given) arches or branches the matrix does not have.
RuleSet parse_rules(const std::string& text, const std::string& path,
                    const Matrix* matrix = nullptr);
RuleSet load_rules(const std::string& path, const Matrix* matrix = nullptr);

// Does `cond` hold for a symbol whose .config value is `actual` (nullptr: absent)?
bool condition_holds(const LintCondition& cond, const std::string* actual);

inline constexpr const char* kBuiltinGroup = "builtin";
inline constexpr const char* kRuleNoModules = "builtin-no-modules";
inline constexpr const char* kRuleReasons = "builtin-reasons";

struct LintCheck {
  std::string condition;  // "SERIAL_8250=y", or what a built-in rule requires
  std::string actual;     // "SERIAL_8250=n", "SERIAL_8250 absent", "unknown in 6.1", ...
};

struct LintFailure {
  std::string variant;  // a variant, or for builtin-reasons the variants the fragment feeds
  std::string rule;     // rule id
  std::string group;
  std::string kind;     // "require", "any_of", "unknown-symbol", "module", "reason"
  std::string context;  // e.g. "when ACPI=y (holds)"
  std::vector<LintCheck> checks;
  std::string reason;
};

struct LintCount {
  int pass = 0;
  int fail = 0;
};

struct LintVariantResult {
  std::string variant;
  std::map<std::string, LintCount> groups;
  int skipped = 0;  // rules whose arches/branches/when exclude the variant
};

struct LintReport {
  std::vector<std::string> groups;  // table columns: the rule groups, then "builtin"
  std::vector<LintVariantResult> variants;
  std::vector<LintFailure> failures;
  bool ok() const { return failures.empty(); }
};

// Resolves each variant (through `ws`) and checks it.
LintReport lint_variants(Workspace& ws, const RuleSet& rules,
                         const std::vector<const Variant*>& variants);

// The variant x group table, then each failure.
std::string format_lint_report(const LintReport& report);
std::string lint_report_json(const LintReport& report);

}  // namespace rk::variants
