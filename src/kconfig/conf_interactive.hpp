// conf's line-oriented modes: the questions --oldaskconfig, --oldconfig and --syncconfig ask
// (prompts, "(NEW)", "[Y/n/m/?]" choices, numbered choice menus, help after '?', "Restart
// config..."), and the listings of --listnewconfig and --helpnewconfig, printed exactly as the
// tree's release of scripts/kconfig/conf prints them. Answers are read line by line from an
// input stream; the caller wires the console.
#pragma once

#include <iosfwd>
#include <string>

#include "kconfig/config.hpp"

namespace rk::kconfig {

enum class AskMode {
  OldAskConfig,   // ask every visible question, then like OldConfig
  OldConfig,      // ask only what the configuration has no value for
  SyncConfig,     // like OldConfig (Kbuild's build-time update)
  ListNewConfig,  // print CONFIG_X=value for each symbol that would be asked
  HelpNewConfig,  // print the help of each symbol that would be asked
};

struct Console {
  std::istream* in = nullptr;   // answers (unused by the listing modes)
  std::ostream* out = nullptr;  // what conf prints on stdout
  std::ostream* err = nullptr;  // what conf prints on stderr
  // conf echoes each answer it reads unless stdin and stdout are both terminals.
  bool echo_input = true;
};

// Runs the question (or listing) pass of `mode` over `config`, which has read its input the
// way conf does (conf_read). Returns 0, or the exit status conf gives up with (6.12 stops
// when input ends while a new int/hex symbol still has no valid value; earlier releases would
// ask forever, which this stops the same way).
int run_conf_questions(Config& config, AskMode mode, Console& console);

}  // namespace rk::kconfig
