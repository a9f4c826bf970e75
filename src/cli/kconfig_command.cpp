#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "kconfig/conf_modes.hpp"
#include "kconfig/confdata.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/shell_runner.hpp"

extern char** environ;

namespace rk::cli {

namespace {

struct KconfigArgs {
  bool olddefconfig = false, alldefconfig = false, allnoconfig = false, allyesconfig = false,
       allmodconfig = false, listnewconfig = false, silent = false;
  std::optional<std::string> defconfig, savedefconfig;
  std::string kconfig;
  std::string record_profile, replay_profile, kernel_version;
};

kconfig::Environment process_environment() {
  kconfig::Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

void print_message(bool silent, const std::string& msg) {
  if (silent) return;
  std::printf("#\n# %s\n#\n", msg.c_str());
}

int run_kconfig(const KconfigArgs& a) {
  using namespace kconfig;
  int modes = a.olddefconfig + a.alldefconfig + a.allnoconfig + a.allyesconfig + a.allmodconfig +
              a.listnewconfig + a.defconfig.has_value() + a.savedefconfig.has_value();
  if (modes > 1) {
    std::fprintf(stderr, "runner-kernel kconfig: give only one mode\n");
    return 1;
  }
  ConfRequest req;
  req.env = process_environment();
  req.mode = a.alldefconfig    ? ConfMode::AllDefconfig
             : a.allnoconfig   ? ConfMode::AllNoconfig
             : a.allyesconfig  ? ConfMode::AllYesconfig
             : a.allmodconfig  ? ConfMode::AllModconfig
             : a.listnewconfig ? ConfMode::ListNewconfig
             : a.defconfig     ? ConfMode::Defconfig
             : a.savedefconfig ? ConfMode::SaveDefconfig
                               : ConfMode::OldDefconfig;
  if (a.defconfig) req.defconfig_file = *a.defconfig;

  Diagnostics diag([](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  ParseOptions opts;
  opts.kconfig = a.kconfig;
  opts.env = req.env;
  if (auto it = req.env.find("srctree"); it != req.env.end()) opts.srctree = it->second;
  if (!a.kernel_version.empty()) opts.dialect = parse_dialect(a.kernel_version);
  opts.diag = &diag;

  std::unique_ptr<ShellRunner> live = std::make_unique<LiveShell>();
  std::unique_ptr<ShellRunner> shell;
  std::unique_ptr<RecordingShell> recorder;
  if (!a.replay_profile.empty()) {
    shell = std::make_unique<ReplayShell>(ToolchainProfile::load(a.replay_profile));
  } else if (!a.record_profile.empty()) {
    recorder = std::make_unique<RecordingShell>(*live);
  }
  opts.shell = recorder ? recorder.get() : shell ? shell.get() : live.get();

  std::unique_ptr<Tree> tree;
  try {
    tree = parse_kconfig(opts);
  } catch (const KconfigError& e) {
    if (*e.what()) std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  if (recorder) recorder->profile().save(a.record_profile);

  req.files.srctree = opts.srctree;
  Config config(*tree, &diag);
  ConfOutcome out = run_conf_mode(config, req);
  if (out.exit_code != 0) {
    std::fprintf(stderr, "%s\n", out.error.c_str());
    return out.exit_code;
  }
  std::fputs(out.listing.c_str(), stdout);
  std::string error;
  if (out.defconfig) {
    if (!write_file_atomically(*a.savedefconfig, *out.defconfig, false, error)) {
      std::fprintf(stderr, "n*** Error while saving defconfig to: %s\n\n",
                   a.savedefconfig->c_str());
      return 1;
    }
  }
  if (out.config) {
    bool unchanged = false;
    if (!write_file_atomically(out.config_path, *out.config, true, error, &unchanged)) {
      std::fprintf(stderr, "%s\n\n*** Error during writing of the configuration.\n\n",
                   error.c_str());
      return 1;
    }
    print_message(a.silent, (unchanged ? "No change to " : "configuration written to ") +
                                out.config_path);
  }
  return 0;
}

}  // namespace

CommandRunner register_kconfig_command(CLI::App& app) {
  auto args = std::make_shared<KconfigArgs>();
  CLI::App* cmd = app.add_subcommand(
      "kconfig", "Resolve a kernel configuration like scripts/kconfig/conf, without building it");
  cmd->add_flag("--olddefconfig", args->olddefconfig, "Update .config, new symbols at defaults");
  cmd->add_flag("--alldefconfig", args->alldefconfig, "New config with all symbols at defaults");
  cmd->add_flag("--allnoconfig", args->allnoconfig, "New config answering no where possible");
  cmd->add_flag("--allyesconfig", args->allyesconfig, "New config answering yes where possible");
  cmd->add_flag("--allmodconfig", args->allmodconfig, "New config answering mod where possible");
  cmd->add_flag("--listnewconfig", args->listnewconfig, "List symbols .config does not set");
  cmd->add_option("--defconfig", args->defconfig, "New config from a defconfig file");
  cmd->add_option("--savedefconfig", args->savedefconfig, "Save the minimal config to FILE");
  cmd->add_flag("-s", args->silent, "Print no messages");
  cmd->add_option("--record-profile", args->record_profile,
                  "Record every $(shell,...) result into a toolchain profile FILE");
  cmd->add_option("--replay-profile", args->replay_profile,
                  "Answer $(shell,...) from a toolchain profile FILE instead of running commands");
  cmd->add_option("--kernel-version", args->kernel_version,
                  "Kconfig dialect to follow (e.g. 6.1); default: from the source tree");
  cmd->add_option("kconfig", args->kconfig, "Top-level Kconfig file")->required();
  return [args] { return run_kconfig(*args); };
}

}  // namespace rk::cli
