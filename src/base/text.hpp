// Text helpers shared by the stages: edit distance and the one rule for "a similar name", so
// every command that suggests names (config check, set, explain, menuconfig) suggests the same.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::base {

// Levenshtein distance of `a` and `b`; any distance above `limit` is reported as limit + 1
// (computing stops as soon as it is certain).
size_t edit_distance(std::string_view a, std::string_view b, size_t limit = SIZE_MAX - 1);

// How near `candidate` is to `query` (lower is nearer), or nullopt when it is not near: within
// an edit distance of max(2, |query| / 4), or containing / contained in the query when the
// shorter of the two has at least 4 characters (ranked after every edit-distance match, by the
// difference in length). An equal name has rank 0: callers leave out the name itself.
std::optional<size_t> near_name_rank(std::string_view query, std::string_view candidate);

// Up to `max_results` of `candidates` near `query`, nearest first, ties in name order, without
// repeats.
std::vector<std::string> near_names(std::string_view query,
                                    const std::vector<std::string_view>& candidates,
                                    size_t max_results);

// Appends `raw` to `out` with backslash escapes: \\ \n \r \t by name, `quote` (unless '\0') as
// a backslash and itself, and every other control character (and DEL) as `control_prefix` and
// two lowercase hex digits ("\\x" for the toolchain profiles, "\\u00" for TOML).
void append_escaped(std::string& out, std::string_view raw, char quote,
                    std::string_view control_prefix);

// The lines of `text` without their '\n' (a last line without one included).
std::vector<std::string> split_lines(std::string_view text);

// A unified diff of one file's old and new texts with 3 lines of context (as `diff -u`), headed
// `--- a/<path>` / `+++ b/<path>`; "" when the texts are equal. Fragment-sized texts: the
// longest common subsequence is computed with a full table.
std::string unified_diff(const std::string& path, const std::string& old_text,
                         const std::string& new_text);

}  // namespace rk::base
