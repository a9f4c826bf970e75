// `config diff`: what differs between resolved configurations, symbol by symbol (a semantic
// diff of values, not of text: "# CONFIG_X is not set" and an absent line both mean n).
//
// Three comparisons: two variants (6.1-x86_64 vs 6.1-arm64), two branches (each arch of one
// against the same arch of the other), and a git revision of the matrix (its variants.toml,
// fragments and toolchain profiles) against the working tree, resolved over the same kernel
// trees: what a change to the fragments does to every variant.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {

struct SymbolChange {
  enum class Kind { Added, Removed, Changed };
  Kind kind = Kind::Changed;
  std::string symbol;     // without CONFIG_
  std::string old_value;  // as in .config ("n" when not set or absent)
  std::string new_value;
};

struct VariantDiff {
  std::string name;       // the variant, or the arch when two branches are compared
  std::string old_label;  // what the old side is: "6.1-x86_64", "HEAD~1:6.1-x86_64"
  std::string new_label;
  bool old_missing = false;  // the variant exists only on the new side (or only the old)
  bool new_missing = false;
  std::vector<SymbolChange> changes;  // added, then removed, then changed; each by symbol

  size_t count(SymbolChange::Kind k) const;
};

struct DiffResult {
  std::string old_label;  // "6.1-x86_64", "6.1", "HEAD~1"
  std::string new_label;  // "6.1-arm64", "6.12", "working tree"
  std::vector<VariantDiff> variants;
};

// CONFIG_ symbol -> value of a .config text ("n" for "is not set").
std::map<std::string, std::string> config_values(const std::string& config_text);

// The symbols whose values differ (absent = n), ordered as VariantDiff::changes.
std::vector<SymbolChange> diff_config_texts(const std::string& old_text,
                                            const std::string& new_text);

// a's resolved configuration against b's.
DiffResult diff_variants(Workspace& ws, const Variant& a, const Variant& b);

// Every arch of branch `a` against the same arch of branch `b` (arches both have).
DiffResult diff_branches(Workspace& ws, const std::string& a, const std::string& b);

struct RevisionDiffOptions {
  std::string rev;                           // any git revision: HEAD~1, main, a sha
  std::vector<std::string> variants;         // Matrix::select names; empty: every variant
  Workspace::TreeLocator locator;            // trees for variants whose branch or arch the
                                             // revision defines differently
  ToolchainMode mode = ToolchainMode::Auto;  // for those variants
};

// The revision's matrix (variants.toml next to the workspace's, its fragments and toolchain
// profiles, read with `git show` into a temporary directory) against the workspace's (the
// working tree, including fragments edited in memory). Variants whose branch and arch are the
// same on both sides are resolved over the workspace's trees. Throws VariantsError when git
// fails or the revision has no matrix.
DiffResult diff_revision(Workspace& ws, const RevisionDiffOptions& options);

// Per variant: its changes ("+ X=y", "- X=y", "~ X: y -> m"), then a summary table.
std::string render_diff_text(const DiffResult& result);
std::string render_diff_json(const DiffResult& result);  // pretty-printed, ends with '\n'

}  // namespace rk::variants
