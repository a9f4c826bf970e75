// Whether a requested value landed in a resolved configuration, and if not, why and what
// would make it land. The fix is computed from the dependency expressions and then verified
// by re-resolving the variant with it, never guessed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kconfig/config.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {

// A symbol's value as the resolved .config states it: "y", "m", "n", the int/hex/string value,
// or nullopt when the symbol is not written at all (unknown, or its dependencies are unmet).
std::optional<std::string> resolved_value(kconfig::Config& config, const std::string& symbol);

// Does `requested` (a fragment's value: y/m/n, a number, a quoted string) hold in `config`?
// n holds for an absent symbol; a string "" holds for an absent string symbol.
bool lands(kconfig::Config& config, const std::string& symbol, const std::string& requested);

// How a value shows in reports: y, m, n, "text", or "(absent)".
std::string shown_value(const std::optional<std::string>& value);

struct Diagnosis {
  std::vector<std::string> why;  // one statement per line, values annotated [=y]
  // Settings that make the value land, in fragment syntax (CONFIG_X=y), and whether
  // re-resolving with them proved it.
  std::vector<std::string> fix;
  bool fix_verified = false;
  std::string fix_note;  // what the verification found (or why no fix was found)
};

// Why `symbol` did not become `requested` in variant `v` resolved from `allconfig` (its
// merged fragments) to `config`; with a verified fix when one exists.
Diagnosis diagnose(Workspace& ws, const Variant& v, const std::string& allconfig,
                   kconfig::Config& config, const std::string& symbol,
                   const std::string& requested);

// Up to `max_results` symbols of `tree` named like `name` (a renamed or mistyped symbol),
// nearest first, by the one rule of base::near_name_rank; `name` may be lowercase and carry the
// CONFIG_ prefix. Every command suggests names through this.
std::vector<std::string> near_symbol_names(const kconfig::Tree& tree, const std::string& name,
                                           size_t max_results = 5);

}  // namespace rk::variants
