// Text helpers of the menuconfig screen: fitting text to columns, wrapping, and the unified
// diff of a fragment.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rk::tui {

// Display width of UTF-8 text (one column per code point).
size_t text_width(std::string_view s);
// `s` cut to `width` columns ('~' marks a cut) and padded with spaces to exactly `width`.
std::string fit(std::string_view s, size_t width);
// Lines of `text`, each longer line wrapped at `width` columns (at spaces when possible).
std::vector<std::string> wrap_lines(std::string_view text, size_t width);
// A unified diff (3 lines of context) of one file's old and new texts; "" when equal.
std::string unified_diff(const std::string& path, const std::string& old_text,
                         const std::string& new_text);

}  // namespace rk::tui
