// Config fragments: the runner kernel's settings, a few commented lines per purpose.
//
// The syntax is the kernel's .config fragment syntax, so merge_config.sh reads a fragment once
// trailing comments are stripped:
//
//   # A comment paragraph gives the reason for the settings below it, up to a blank line.
//   CONFIG_OVERLAY_FS=y            # or a trailing comment gives this line's reason
//   CONFIG_NAME="text"             # strings are quoted and escaped as in .config
//   CONFIG_DEBUG_INFO=n            # =n (or "# CONFIG_X is not set") asks for the value n
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::variants {

struct FragmentSetting {
  std::string symbol;  // without CONFIG_
  std::string value;   // as written after '=' (quotes included for strings); "n" for not set
  std::string reason;  // the trailing comment or the comment paragraph above it
  int line = 0;        // 1-based
};

struct Fragment {
  std::string path;  // as given to parse_fragment (repo-relative in the matrix)
  std::vector<FragmentSetting> settings;
  std::vector<std::string> lines;  // the text, line by line (for edits that keep the rest)

  const FragmentSetting* find(std::string_view symbol) const;
};

// Throws VariantsError "path:line: ..." on a line that is neither blank, a comment, nor a
// setting, and on a symbol set twice in one fragment.
Fragment parse_fragment(std::string_view text, const std::string& path);

// The largest fragment read: the runner kernel's are a few KiB; a whole .config is ~250 KiB.
inline constexpr std::uintmax_t kMaxFragmentBytes = 4 << 20;

// Reads and parses a fragment; throws VariantsError when it is not a regular file (a
// directory, a device) or is over kMaxFragmentBytes.
Fragment load_fragment(const std::string& absolute_path, const std::string& path);

// The value a setting requests, normalised the way conf reads it: "y", "m", "n", a number, or
// the unquoted, unescaped string. nullopt when the quoted string is malformed.
std::optional<std::string> requested_value(const FragmentSetting& s);

// The fragment's settings as kernel .config lines (no comments): what conf and merge_config.sh
// are given.
std::string fragment_config_text(const Fragment& f);

// Edits that keep every other line (and comment) as it is. set_setting replaces the symbol's
// line in place (keeping its trailing comment unless `reason` is given) or appends it, with
// `reason` as a trailing comment. remove_setting drops the line (and a comment paragraph that
// only explained it). Both return the new text.
std::string set_setting(const Fragment& f, const std::string& symbol, const std::string& value,
                        const std::string& reason);
std::string remove_setting(const Fragment& f, const std::string& symbol);

// "y" -> "CONFIG_X=y"; strings are quoted as conf writes them.
std::string setting_line(const std::string& symbol, const std::string& value);

}  // namespace rk::variants
