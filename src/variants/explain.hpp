// `config explain`: everything that decides one symbol's value, for several variants side by
// side: value and type, prompts and their visibility, definitions, dependencies with their
// operands' values, selects and implies (both ways), defaults and which one is active, ranges,
// the choice it belongs to, the fragment lines that request it, and its help text.
//
// explain_symbol() returns the facts as data (the TUI's help screen shows the same); the
// renderers turn them into a terminal table or JSON.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kconfig/tristate.hpp"
#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {

// An expression as conf prints it, each symbol followed by " [=value]", with its value.
struct ExplainExpr {
  std::string text;  // "A [=y] && !B [=n]"; empty when the expression is absent (always y)
  kconfig::Tristate value = kconfig::Tristate::Yes;
  bool empty() const { return text.empty(); }
};

struct ExplainLocation {
  std::string file;  // as conf prints it: relative to the kernel tree
  int line = 0;
};

struct ExplainPrompt {
  std::string text;
  ExplainExpr condition;  // the prompt's own 'if' (entry dependencies excluded)
  bool visible = false;   // the prompt's full visibility (dependencies included) is not n
  ExplainLocation location;
};

// One select or imply: `symbol` is the other end (the target of this symbol's select, or the
// symbol that selects this one).
struct ExplainRelation {
  std::string symbol;
  std::string value;      // that symbol's value
  ExplainExpr condition;  // select/imply: the 'if'; selected/implied by: the whole term
  kconfig::Tristate strength = kconfig::Tristate::No;  // what it forces (term value)
};

struct ExplainDefault {
  ExplainExpr value;      // the default's expression with its value
  ExplainExpr condition;  // its own 'if'
  bool active = false;    // the default the symbol's value comes from (conf: the first whose
                          // condition, dependencies included, is not n)
  ExplainLocation location;
};

struct ExplainRange {
  std::string min, max;  // bounds as written (numbers or symbol names)
  std::string min_value, max_value;
  ExplainExpr condition;
  bool active = false;
};

struct ExplainChoice {
  std::string prompt;    // the choice's prompt
  std::string name;      // named choice (before 6.11), else empty
  std::string selected;  // the member that is y (empty: none)
  std::vector<std::pair<std::string, std::string>> members;  // name, value
  ExplainLocation location;
};

// A fragment line naming the symbol.
struct ExplainRequest {
  std::string fragment;  // matrix-relative path
  int line = 0;
  std::string requested;   // as written ("y", "n", "\"text\"", "0x10")
  std::string reason;      // its comment
  bool effective = false;  // the last one in fragment order: the one conf reads
  bool honored = false;    // the resolved value is what was requested
};

struct VariantExplanation {
  std::string variant;
  bool found = false;
  std::vector<std::string> near_names;  // when !found: closest names in this tree

  std::string type;        // "bool", "tristate", "int", "hex", "string"
  std::string value;       // as in .config: y, m, n, 17, 0x10, "text" (quoted)
  bool in_config = false;  // written to .config (as a value or "is not set")
  bool user_set = false;   // has a value from the fragments
  std::vector<ExplainPrompt> prompts;
  std::vector<ExplainLocation> definitions;
  ExplainExpr depends_on;  // the symbol's direct dependencies
  std::vector<ExplainRelation> selects, implies, selected_by, implied_by;
  std::vector<ExplainDefault> defaults;
  std::vector<ExplainRange> ranges;
  bool in_choice = false;
  ExplainChoice choice;
  std::vector<ExplainRequest> requests;  // empty: the value is the kernel's default
  std::string help;                      // the symbol's help text (first definition that has one)
  std::string conf_help;                 // conf's full help screen for the symbol (menu_help)
};

struct ExplainResult {
  std::string symbol;  // without CONFIG_
  std::vector<VariantExplanation> variants;
  bool found_anywhere() const;
};

// Resolves each variant (parsing its tree when needed) and explains `symbol` there. A leading
// "CONFIG_" is ignored. Unknown symbols are not an error: their entries have found == false.
ExplainResult explain_symbol(Workspace& ws, const std::vector<const Variant*>& variants,
                             const std::string& symbol);

// The explanation of one symbol in one resolved configuration. `variant` names the column;
// `requests` are filled by the caller (explain_symbol reads the fragments).
VariantExplanation explain_in_config(kconfig::Config& config, const std::string& symbol,
                                     const std::string& variant, const std::string& config_text);

// One row per fact, variants as columns; rows identical in every variant span the width.
// Columns that would not fit `width` are stacked (one line per group of equal variants).
std::string render_text(const ExplainResult& result, size_t width);
std::string render_json(const ExplainResult& result);  // pretty-printed, ends with '\n'

}  // namespace rk::variants
