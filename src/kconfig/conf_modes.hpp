// conf's batch modes (olddefconfig, alldefconfig, allnoconfig, ...) as a library call: the
// same inputs, the same decisions, the same output text. Writing the results is the caller's
// job, so the engine stays free of output side effects.
#pragma once

#include <optional>
#include <string>

#include "kconfig/config.hpp"
#include "kconfig/confdata.hpp"
#include "kconfig/shell.hpp"

namespace rk::kconfig {

enum class ConfMode {
  OldDefconfig,
  AllDefconfig,
  AllNoconfig,
  AllYesconfig,
  AllModconfig,
  Defconfig,
  SaveDefconfig,
  ListNewconfig,
};

struct ConfRequest {
  ConfMode mode = ConfMode::OldDefconfig;
  std::string defconfig_file;  // input of Defconfig
  FileAccess files;
  Environment env;  // KCONFIG_CONFIG, KCONFIG_ALLCONFIG, KCONFIG_DEFCONFIG_LIST, ...
};

struct ConfOutcome {
  int exit_code = 0;
  std::string error;                  // conf's message when exit_code != 0
  std::optional<std::string> config;  // .config text to write (to config_path)
  std::string config_path;            // KCONFIG_CONFIG or .config
  std::optional<std::string> defconfig;  // savedefconfig output
  std::string listing;                   // listnewconfig output (stdout)
};

// Runs one conf mode over `config` (a fresh Config over a parsed tree).
ConfOutcome run_conf_mode(Config& config, const ConfRequest& request);

// conf_set_all_new_symbols for the non-random modes: every symbol without a user value gets
// the mode's value.
enum class NewSymbolPolicy { Default, Yes, Mod, No };
void set_all_new_symbols(Config& config, NewSymbolPolicy policy);

}  // namespace rk::kconfig
