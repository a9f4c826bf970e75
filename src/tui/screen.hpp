// The ncurses view of `runner-kernel menuconfig`: draws the model (model.hpp) and maps the
// kernel menuconfig's keys onto its operations. The terminal is restored on every way out:
// return, exception, and fatal signals.
#pragma once

#include <cstddef>

#include "tui/model.hpp"

namespace rk::tui {

struct ScreenOptions {
  size_t focus = 0;  // the variant column focused at start (help and explain are about it)
};

// Runs the editor until the user quits. Returns the process exit status.
int run_screen(Model& model, const ScreenOptions& options);

}  // namespace rk::tui
