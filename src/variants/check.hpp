// `config check`: every value a fragment asks for must land in every variant it applies to.
// Reports what did not and why (with a verified fix), conflicting and redundant lines,
// symbols a branch does not know, and symbols that are new since the last resolve.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "variants/workspace.hpp"

namespace rk::variants {

enum class Severity { Error, Warning, Note };

struct Finding {
  Severity severity = Severity::Error;
  // not-landed | unknown-symbol | conflict | duplicate | redundant | new-symbol
  std::string kind;
  std::vector<std::string> variants;  // where it happens (merged when identical)
  std::string symbol;
  std::string file;  // the fragment line concerned
  int line = 0;
  std::string requested;
  std::string actual;
  std::vector<std::string> why;
  std::vector<std::string> fix;
  bool fix_verified = false;
  std::string fix_note;
  std::string other_file;  // conflict/duplicate: the other line
  int other_line = 0;
  std::string other_value;
};

struct VariantSummary {
  std::string name;
  size_t requested = 0;  // fragment lines applying to the variant
  size_t landed = 0;
  double ms = 0;
};

struct CheckReport {
  std::vector<Finding> findings;
  std::vector<VariantSummary> variants;
  size_t count(Severity s) const;
};

struct CheckOptions {
  bool redundant = true;  // report lines that ask for what the variant gets anyway
  // Directory holding <variant>/.config from the last `config resolve`: symbols new since then
  // are reported as notes. Empty: not checked.
  std::string previous_dir;
};

CheckReport check_variants(Workspace& ws, const std::vector<const Variant*>& variants,
                           const CheckOptions& options);

// The human report: a summary table, then each finding with its why and fix.
std::string render_check_text(const CheckReport& report);
nlohmann::json check_json(const CheckReport& report);

const char* severity_name(Severity s);

}  // namespace rk::variants
