// Text helpers of the menuconfig screen: fitting text to columns and wrapping (the diff of a
// fragment is base::unified_diff).
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

}  // namespace rk::tui
