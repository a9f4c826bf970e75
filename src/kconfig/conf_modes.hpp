// conf's batch modes (olddefconfig, alldefconfig, allnoconfig, ...) as a library call: the
// same inputs, the same decisions, the same output text. Writing the results is the caller's
// job, so the engine stays free of output side effects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kconfig/conf_interactive.hpp"
#include "kconfig/confdata.hpp"
#include "kconfig/config.hpp"
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
  HelpNewconfig,
  OldAskConfig,  // questions: need ConfRequest::console
  OldConfig,
  SyncConfig,
  RandConfig,  // needs ConfRequest::seed
  Yes2ModConfig,
  Mod2YesConfig,
  Mod2NoConfig,  // 6.1+
};

// glibc's rand() after srand(seed) (the TYPE_3 additive feedback generator), which conf's
// randconfig draws from; reproduced so that a seed gives conf's configuration.
class ConfRandom {
 public:
  explicit ConfRandom(uint32_t seed);
  int next();  // rand()

 private:
  int32_t state_[31];
  int f_ = 3, r_ = 0;
};

// set_randconfig_seed: KCONFIG_SEED when it is a complete number (any base strtol accepts),
// otherwise a time-derived seed. `message` gets the line conf prints
// ("KCONFIG_SEED=0x...\n"; stdout from 6.1 on, stderr before).
uint32_t randconfig_seed(const Environment& env, std::string& message);

struct ConfRequest {
  ConfMode mode = ConfMode::OldDefconfig;
  std::string defconfig_file;  // input of Defconfig
  FileAccess files;
  Environment env;             // KCONFIG_CONFIG, KCONFIG_ALLCONFIG, KCONFIG_DEFCONFIG_LIST, ...
  Console* console = nullptr;  // OldAskConfig, OldConfig, SyncConfig: questions and answers
  uint32_t seed = 0;           // RandConfig
};

struct ConfOutcome {
  int exit_code = 0;
  std::string error;                     // conf's message when exit_code != 0
  std::optional<std::string> config;     // .config text to write (to config_path)
  std::string config_path;               // KCONFIG_CONFIG or .config
  std::optional<std::string> defconfig;  // savedefconfig output
  std::string listing;                   // listnewconfig/helpnewconfig output (stdout)
  // conf writes (or, for syncconfig, updates) include/config/auto.conf and friends after the
  // configuration: `autoconf_overwrite` says whether existing ones are rewritten.
  bool write_autoconf = false;
  bool autoconf_overwrite = false;
};

// Runs one conf mode over `config` (a fresh Config over a parsed tree).
ConfOutcome run_conf_mode(Config& config, const ConfRequest& request);

// conf_set_all_new_symbols for the non-random modes: every symbol without a user value gets
// the mode's value.
enum class NewSymbolPolicy { Default, Yes, Mod, No };
void set_all_new_symbols(Config& config, NewSymbolPolicy policy);

}  // namespace rk::kconfig
