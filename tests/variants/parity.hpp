// Parity with the old runner configs: every option an old full .config set
// (tests/variants/parity/seed-options.tsv) must resolve to the same value in our variant of the
// same branch and arch, or be listed with a reason in configs/DROPPED.md's table. The check also
// keeps the list from rotting: rows that no longer explain a difference are reported.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rk::variants {

// seed-options.tsv: a header "symbol<TAB>variant..." and one row per symbol, each cell the old
// .config's value as written, or "-" when that old config did not set the symbol.
struct SeedTable {
  std::vector<std::string> variants;  // column order
  struct Row {
    std::string symbol;
    std::vector<std::string> values;  // one per variant
    int line = 0;
  };
  std::vector<Row> rows;
};

// Throws VariantsError "path:line: ..." on a malformed header, a wrong cell count or a repeated
// symbol.
SeedTable parse_seed_table(std::string_view text, const std::string& path);

// A row of DROPPED.md's table `| symbol | variants | old value | ours | reason |`.
struct DroppedRow {
  std::string symbol;
  std::vector<std::string> variants;  // expanded ("all" = every seed-table variant)
  std::string old_value;
  std::string ours;
  std::string reason;
  int line = 0;
};

// The table rows after the `| symbol | variants | ...` header (other text is ignored). Throws
// VariantsError on a row without five cells or without a table at all.
std::vector<DroppedRow> parse_dropped(std::string_view text, const std::string& path,
                                      const std::vector<std::string>& all_variants);

enum class ParityIssueKind {
  Mismatch,         // set by the old config, resolves differently, not listed
  MissingReason,    // a DROPPED row with an empty reason
  BadRow,           // a DROPPED row naming an unknown variant, or listed twice
  StaleMatches,     // listed, but the value now matches the old one
  StaleNotSet,      // listed, but the old config of that variant did not set the symbol
  StaleNotInTable,  // listed, but the symbol is not in the seed table at all
  WrongOldValue,    // the row's "old value" is not what the seed table says
  WrongOurs,        // the row's "ours" is not what the variant resolves to
  NotResolved,      // a seed-table variant with no resolved values given
};
const char* parity_issue_name(ParityIssueKind k);

struct ParityIssue {
  ParityIssueKind kind;
  std::string symbol;
  std::string variant;
  std::string old_value;  // the seed table's value
  std::string ours;       // our resolved value ("-": absent)
  std::string detail;     // what to do, with DROPPED.md's line when relevant
};

struct ParityResult {
  size_t checked = 0;  // (symbol, variant) cells the old configs set
  size_t matched = 0;
  size_t dropped = 0;  // explained by a DROPPED row
  std::vector<ParityIssue> issues;
  bool ok() const { return issues.empty(); }
};

// `resolved`: variant -> its .config text (our resolution). Cells are compared as written
// ("y", "48", "\"text\""); "-" stands for absent.
ParityResult check_parity(const SeedTable& seed, const std::vector<DroppedRow>& dropped,
                          const std::map<std::string, std::string>& resolved,
                          const std::string& dropped_path = "DROPPED.md");

std::string format_parity(const ParityResult& r);

}  // namespace rk::variants
