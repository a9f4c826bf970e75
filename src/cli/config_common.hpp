// What the `runner-kernel config ...` subcommands share: the matrix, the workspace that
// resolves variants, option parsing, and a registry so each subcommand lives in its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/file_lock.hpp"
#include "cli/commands.hpp"
#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::cli {

// Options every config subcommand takes.
struct ConfigOptions {
  std::string matrix_path;  // --matrix; default: variants.toml found upwards
  bool live = false;        // --live: run the toolchain instead of replaying profiles
  bool replay = false;      // --replay: profiles only, never the toolchain
  bool record = false;      // --record-toolchain
  // What-if variants (build, test): fragments left out / appended (Matrix::with_fragments).
  std::vector<std::string> drop_fragments, add_fragments;

  variants::ToolchainMode mode() const;
  // Loads the matrix and opens a workspace whose trees come from the source cache.
  std::unique_ptr<variants::Workspace> open_workspace() const;
  // The repository's configuration lock (.runner-kernel.lock beside variants.toml). Every
  // writer of configs/ and variants.toml takes it before reading anything, so it edits what
  // the previous writer left: two edits at once both land, one after the other.
  std::unique_ptr<base::FileLock> lock_configuration(const std::string& what) const;
};

using ConfigSubcommandRegistrar =
    std::function<CommandRunner(CLI::App& config, std::shared_ptr<ConfigOptions> options)>;

struct ConfigSubcommandEntry {
  std::string name;
  int order;
  ConfigSubcommandRegistrar registrar;
};

std::vector<ConfigSubcommandEntry>& config_subcommand_registry();

struct ConfigSubcommandRegistration {
  ConfigSubcommandRegistration(std::string name, int order, ConfigSubcommandRegistrar registrar) {
    config_subcommand_registry().push_back({std::move(name), order, std::move(registrar)});
  }
};

// Adds --drop-fragment / --add-fragment, filling `drop` and `add`.
void add_fragment_override_options(CLI::App& cmd, std::vector<std::string>& drop,
                                   std::vector<std::string>& add);

// Writes `content` to `path` via a temporary file and rename (creating directories); throws
// std::runtime_error naming the file on failure. Returns false when the file already held it.
bool write_atomically(const std::string& path, const std::string& content);

// True when stdout is a terminal (colour, progress lines).
bool stdout_is_tty();

}  // namespace rk::cli
