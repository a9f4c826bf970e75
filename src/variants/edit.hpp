// `config set` / `config unset` (and menuconfig's save): requested changes become fragment
// edits, the affected variants are re-resolved with them in memory, and the edits are only
// accepted when every requested value lands (and nothing that landed before stops landing).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "variants/check.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {

struct SettingChange {
  std::string symbol;                 // without CONFIG_
  std::optional<std::string> value;   // fragment syntax (y, m, n, 42, "text"); nullopt: unset
  std::vector<std::string> variants;  // variant names; empty: every variant
  std::string fragment;               // fragment path to edit; empty: chosen (see plan_edits)
  std::string reason;                 // becomes the line's trailing comment
};

struct EditPlan {
  std::map<std::string, std::string> texts;  // fragment path -> new text
  std::vector<std::string> new_fragments;    // paths created (need [[fragment]] entries)
  std::string matrix_text;                   // new variants.toml when fragments were added
  std::vector<std::string> affected;         // variants re-resolved
  std::vector<Finding> refusals;             // why the plan cannot be applied
  std::vector<std::string> notes;            // what was edited where (or why not)
  bool ok() const { return refusals.empty(); }
  bool changes_files() const { return !texts.empty() || !matrix_text.empty(); }
};

// A set whose value the winning line of every target variant already requests changes
// nothing (a note says where it is set). Otherwise chooses where each change goes: `fragment`
// when given; else the fragment whose line already
// sets the symbol, when that fragment applies to exactly the requested variants; else a
// fragment applying to exactly those variants, preferring the one that already sets symbols
// from the same Kconfig directory; else a new configs/local/<scope>.config. Then re-resolves
// every affected variant with the edits (in memory) and refuses with the diagnosis when a
// requested value would not land or a value that landed before would stop landing.
// The workspace's fragments are left as they were.
EditPlan plan_edits(Workspace& ws, const std::vector<SettingChange>& changes);

// Writes the plan's fragments (and variants.toml): all of them or none, journaled
// (write_configuration). Call with the configuration lock held. Throws VariantsError (kIo).
void write_plan(const Matrix& matrix, const EditPlan& plan);

// A unified-style diff of every fragment the plan changes.
std::string plan_diff(Workspace& ws, const EditPlan& plan);

}  // namespace rk::variants
