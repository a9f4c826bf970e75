// Where menuconfig meets the config workflow (src/variants/): the explain view and the
// diagnosis of a value that does not land. Saving plans and writes through `config set`'s
// own planner and writer (variants/edit.hpp), so both tools put a change in the same place.
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

}  // namespace rk::tui
