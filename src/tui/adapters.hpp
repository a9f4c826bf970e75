// Where menuconfig meets the config workflow (src/variants/): the explain view, the diagnosis
// of a value that does not land, and the planning of fragment edits. Each is one function
// here, so following a change of the workflow's API touches only adapters.cpp.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "kconfig/config.hpp"
#include "variants/workspace.hpp"

namespace rk::tui {

struct LiveVariant {
  const variants::Variant* variant = nullptr;
  kconfig::Config* config = nullptr;  // the live configuration shown on screen
};

// The explain view of `symbol` over the live configurations of `variants`, as text of at most
// `width` columns (the fragment lines that request it included).
std::string explain_view(variants::Workspace& ws, const std::vector<LiveVariant>& variants,
                         const std::string& symbol, size_t width);

// Why `symbol` cannot become `value` in variant `v` whose fragments plus the pending changes
// are `allconfig` (the requested line included), and what to set to make it possible: lines
// of text. Re-resolves the variant (verifying the fix), so it costs one resolve.
std::vector<std::string> diagnose_refusal(variants::Workspace& ws, const variants::Variant& v,
                                          const std::string& allconfig, const std::string& symbol,
                                          const std::string& value);

// A change to carry into the fragments: `symbol` = `value` in `targets`; `free` are variants
// where a fragment line for it changes nothing (the symbol is absent there, or already has
// that value), so a shared fragment may carry it.
struct EditRequest {
  std::string symbol;
  std::string value;  // "y", "m", "n", a number, or the unquoted string
  bool is_string = false;
  std::vector<const variants::Variant*> targets;
  std::vector<const variants::Variant*> free;
};

struct PlannedEdit {
  std::string fragment;
  std::string symbol;
  std::string value;
};

struct EditPlan {
  std::vector<PlannedEdit> edits;
  std::map<std::string, std::string> new_texts;  // fragment path -> text
  std::vector<std::string> errors;
};

// Which fragment lines carry the requests: the line that sets the symbol is edited in place
// when its fragment applies only to targets (or free variants); otherwise a line is added to
// the fragment that covers most targets without touching other variants (the last such one).
EditPlan plan_fragment_edits(variants::Workspace& ws, const std::vector<EditRequest>& requests);

// The fragment's text with the setting, as written (strings quoted and escaped).
std::string fragment_with_setting(const variants::Fragment& f, const std::string& symbol,
                                  const std::string& value, bool is_string);

}  // namespace rk::tui
