// Reading and writing configuration files exactly as scripts/kconfig does: .config input with
// conf's tolerance and warnings, .config output, and savedefconfig's minimal output.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "kconfig/config.hpp"
#include "kconfig/shell.hpp"

namespace rk::kconfig {

// How configuration files are found: conf opens a name as given, then (for relative names)
// under $srctree.
struct FileAccess {
  std::string cwd = ".";
  std::string srctree;
  // When set, answers every read instead of the file system (tests and fuzzers).
  std::function<std::optional<std::string>(const std::string& name)> read_override;
  // Returns the file's contents, or nullopt when it cannot be opened.
  std::optional<std::string> read(const std::string& name) const;
  // Path a name resolves to (cwd- or srctree-relative), or empty when missing.
  std::string resolve(const std::string& name) const;
};

// conf_read_simple: loads user values from `name` (nullptr name: KCONFIG_CONFIG, then the
// defconfig list). Returns false when no file could be read. Warnings ("file:line:warning:")
// go to the Config's diagnostics.
bool read_config_values(Config& config, const FileAccess& files, const std::string* name,
                        const Environment& env);

// conf_read: read_config_values, then conf's reconciliation pass (invisible user values are
// dropped, out-of-range strings reset). Returns false when no file could be read.
bool read_config(Config& config, const FileAccess& files, const std::string* name,
                 const Environment& env);

// conf_write's content: the full .config text.
std::string render_config(Config& config);
// conf_write_defconfig's content: only what differs from the defaults.
std::string render_defconfig(Config& config);
// A string value as conf writes it: quoted, with '"' and '\\' escaped by a backslash.
std::string escape_string_value(std::string_view in);

// The four-line heading conf writes at the top of .config.
std::string config_heading(const Tree& tree);

}  // namespace rk::kconfig
