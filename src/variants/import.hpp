// `config import`: turns full .config files into the few fragment lines that reproduce them on
// their variants, factored into fragments shared by the imported variants.
//
// Per variant: the file is loaded over the variant's tree (alldefconfig with the file as
// KCONFIG_ALLCONFIG, which for a full .config is what olddefconfig gives), savedefconfig's
// minimal set relative to the defaults is taken, lines the variant's fragments already give are
// dropped, and the result is verified by resolving the variant's fragments plus the new lines.
// Symbols whose value still differs get an explicit line when that makes them land; the rest
// are reported with the reason (unknown symbol, dependency off, selected, not user-settable).
#pragma once

#include <string>
#include <vector>

#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {

struct ImportLine {
  std::string symbol;  // without CONFIG_
  std::string value;   // as written in .config ("y", "n", "48", "\"text\"")
};

// A symbol the file sets whose value the variant cannot be given.
struct ImportProblem {
  std::string symbol;
  std::string wanted;  // the file's value
  std::string got;     // the resolved value with the new lines ("-": absent)
  std::string why;
};

struct VariantImport {
  std::string file;               // as given (used in reasons)
  std::string variant;            // variant name
  std::vector<ImportLine> lines;  // the minimal new lines, in the file's order
  std::vector<ImportProblem> problems;
  size_t file_settings = 0;  // symbols the file sets (including "is not set")
  size_t reproduced = 0;     // of those, how many the fragments + lines reproduce
};

// Computes the lines for one file over one variant. `config_text` is the file's contents.
VariantImport import_config(Workspace& ws, const Variant& v, const std::string& config_text,
                            const std::string& file);

struct ProposedFragment {
  std::string path;                   // matrix-relative: configs/imported/<name>[-...].config
  std::vector<std::string> arches;    // [[fragment]] filters (empty: every arch)
  std::vector<std::string> branches;  // (empty: every branch)
  std::vector<std::string> variants;  // the imported variants it applies to
  std::vector<ImportLine> lines;
  std::string text;  // the fragment file, one "# imported from FILE" reason per line
};

struct ImportPlan {
  std::vector<VariantImport> imports;
  std::vector<ProposedFragment> fragments;  // shared first, then per arch, per branch, per variant
  std::vector<std::string> notes;           // e.g. why a shared fragment could not be formed
};

// Factors the imports' lines: a line every imported variant has goes to the shared fragment
// (filtered to the imported arches x branches when that product is exactly the imported set),
// a line all imported variants of one arch (or branch) have goes to that arch's (branch's)
// fragment, and the rest to per-variant fragments. `name` is the file stem.
ImportPlan plan_import(const Matrix& matrix, std::vector<VariantImport> imports,
                       const std::string& name);

// Re-resolves every imported variant with the proposed fragments appended after its current
// ones and recomputes each import's problems and `reproduced` count (so the plan is proven, not
// assumed). Returns the number of symbols that do not land.
size_t verify_plan(Workspace& ws, ImportPlan& plan, const std::vector<std::string>& config_texts);

// variants.toml's text with a [[fragment]] entry appended for each proposed fragment. Throws
// VariantsError when a path is already listed or the result does not load.
std::string add_fragment_entries(const Matrix& matrix, const std::string& toml_text,
                                 const std::vector<ProposedFragment>& fragments);

// The proposal as text: per fragment its filters and lines, then the problems per variant.
std::string format_import_plan(const ImportPlan& plan);

}  // namespace rk::variants
