#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "kconfig/autoconf.hpp"
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
  bool oldaskconfig = false, oldconfig = false, syncconfig = false, helpnewconfig = false,
       randconfig = false, yes2modconfig = false, mod2yesconfig = false, mod2noconfig = false;
  std::optional<std::string> defconfig, savedefconfig;
  std::string kconfig;
  std::string record_profile, replay_profile, kernel_version;
  std::string tree_cache;
  bool no_tree_cache = false;
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
              a.listnewconfig + a.defconfig.has_value() + a.savedefconfig.has_value() +
              a.oldaskconfig + a.oldconfig + a.syncconfig + a.helpnewconfig + a.randconfig +
              a.yes2modconfig + a.mod2yesconfig + a.mod2noconfig;
  if (modes > 1) {
    std::fprintf(stderr, "runner-kernel kconfig: give only one mode\n");
    return 1;
  }
  ConfRequest req;
  req.env = process_environment();
  // Without a mode, conf runs --oldaskconfig.
  req.mode = a.olddefconfig    ? ConfMode::OldDefconfig
             : a.alldefconfig  ? ConfMode::AllDefconfig
             : a.allnoconfig   ? ConfMode::AllNoconfig
             : a.allyesconfig  ? ConfMode::AllYesconfig
             : a.allmodconfig  ? ConfMode::AllModconfig
             : a.listnewconfig ? ConfMode::ListNewconfig
             : a.helpnewconfig ? ConfMode::HelpNewconfig
             : a.defconfig     ? ConfMode::Defconfig
             : a.savedefconfig ? ConfMode::SaveDefconfig
             : a.oldconfig     ? ConfMode::OldConfig
             : a.syncconfig    ? ConfMode::SyncConfig
             : a.randconfig    ? ConfMode::RandConfig
             : a.yes2modconfig ? ConfMode::Yes2ModConfig
             : a.mod2yesconfig ? ConfMode::Mod2YesConfig
             : a.mod2noconfig  ? ConfMode::Mod2NoConfig
                               : ConfMode::OldAskConfig;
  if (a.defconfig) req.defconfig_file = *a.defconfig;
  // syncconfig runs during builds: conf keeps it quiet.
  const bool silent = a.silent || req.mode == ConfMode::SyncConfig;

  // randconfig announces its seed before parsing (on stdout from 6.1, on stderr before), so
  // what parsing prints is held back until the release is known.
  std::string seed_message;
  if (req.mode == ConfMode::RandConfig) req.seed = randconfig_seed(req.env, seed_message);
  const bool hold = !seed_message.empty();
  std::vector<std::pair<bool, std::string>> held;  // (stderr?, line)
  auto emit = [&](bool to_err, const std::string& line) {
    if (hold) {
      held.emplace_back(to_err, line);
      return;
    }
    std::fprintf(to_err ? stderr : stdout, "%s\n", line.c_str());
  };
  auto release = [&](const Dialect& d) {
    if (!hold) return;
    std::fputs(seed_message.c_str(), randconfig_seed_on_stdout(d) ? stdout : stderr);
    for (auto& [to_err, line] : held) std::fprintf(to_err ? stderr : stdout, "%s\n", line.c_str());
  };

  // conf_message text ("#\n# using defaults found in ...\n#") reaches the sink like the
  // warnings do; conf prints it on stdout, and not at all when silent.
  Diagnostics diag([&](const std::string& line) {
    if (line.compare(0, 2, "#\n") == 0) {
      if (!silent) emit(false, line);
      return;
    }
    emit(true, line);
  });
  ParseOptions opts;
  opts.kconfig = a.kconfig;
  opts.env = req.env;
  if (auto it = req.env.find("srctree"); it != req.env.end()) opts.srctree = it->second;
  if (!a.kernel_version.empty()) opts.dialect = parse_dialect(a.kernel_version);
  opts.diag = &diag;
  opts.info = [&](const std::string& line) { emit(false, line); };

  std::unique_ptr<ShellRunner> live = std::make_unique<LiveShell>();
  // Profiles write @srctree@ for the tree, as the repository's own do (they replay for any
  // cache directory): commands are looked up and recorded that way, and run with the real path.
  SrctreeMarkShell unmarked_live(*live, opts.srctree, /*to_mark=*/false);
  std::unique_ptr<ShellRunner> shell;
  std::unique_ptr<RecordingShell> recorder;
  if (!a.replay_profile.empty()) {
    shell = std::make_unique<ReplayShell>(ToolchainProfile::load(a.replay_profile));
  } else if (!a.record_profile.empty()) {
    recorder = std::make_unique<RecordingShell>(unmarked_live);
  }
  ShellRunner* profiled = recorder ? recorder.get() : shell.get();
  std::optional<SrctreeMarkShell> marked;
  if (profiled) marked.emplace(*profiled, opts.srctree, /*to_mark=*/true);
  opts.shell = marked ? &*marked : live.get();
  std::optional<DirectorySnapshotStore> snapshots;
  if (!a.no_tree_cache) {
    std::string dir = a.tree_cache.empty() ? tree_cache_dir() : a.tree_cache;
    if (!dir.empty()) opts.snapshots = &snapshots.emplace(dir);
  }

  std::unique_ptr<Tree> tree;
  try {
    tree = parse_kconfig(opts);
  } catch (const KconfigError& e) {
    release(opts.dialect ? *opts.dialect : parse_dialect(""));
    if (*e.what()) std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  release(tree->dialect);
  if (recorder) recorder->profile().save(a.record_profile);

  req.files.srctree = opts.srctree;
  Config config(*tree, &diag);
  Console console;
  console.in = &std::cin;
  console.out = &std::cout;
  console.err = &std::cerr;
  console.echo_input = !(isatty(0) && isatty(1));
  req.console = &console;
  ConfOutcome out = run_conf_mode(config, req);
  std::cout.flush();
#if !defined(__SANITIZE_ADDRESS__)
  // The process ends with this command: freeing the tree's ~30 MB node by node would cost more
  // than a twentieth of the run, and the kernel takes the pages back at once anyway.
  static_cast<void>(tree.release());
#endif
  if (out.exit_code != 0) {
    if (!out.error.empty()) std::fprintf(stderr, "%s\n", out.error.c_str());
    return out.exit_code;
  }
  std::fputs(out.listing.c_str(), stdout);
  std::string error;
  // Written as conf writes them, without fsync: Kbuild runs this on every build, and conf's
  // speed is the reference.
  const base::AtomicWriteOptions as_conf{.create_directories = false, .durable = false};
  if (out.defconfig) {
    try {
      base::write_file_if_changed(*a.savedefconfig, *out.defconfig, as_conf);
    } catch (const base::FileError&) {
      std::fprintf(stderr, "n*** Error while saving defconfig to: %s\n\n",
                   a.savedefconfig->c_str());
      return 1;
    }
  }
  if (out.config) {
    bool unchanged = false;
    try {
      base::AtomicWriteOptions keep_old = as_conf;
      keep_old.keep_previous_as = out.config_path + ".old";
      unchanged = !base::write_file_if_changed(out.config_path, *out.config, keep_old);
    } catch (const base::FileError& e) {
      std::fprintf(stderr, "%s\n\n*** Error during writing of the configuration.\n\n", e.what());
      return 1;
    }
    print_message(silent,
                  (unchanged ? "No change to " : "configuration written to ") + out.config_path);
  }
  if (out.write_autoconf) {
    // Like conf: auto.conf and friends are created when missing, and always updated by
    // syncconfig (only then does a failure count).
    AutoconfPlan plan = plan_autoconf(config, req.files, req.env, out.autoconf_overwrite);
    if (!apply_autoconf(plan, req.files.cwd, error) && out.autoconf_overwrite) {
      std::fprintf(stderr, "\n*** Error during sync of the configuration.\n\n");
      return 1;
    }
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
  cmd->add_flag("--helpnewconfig", args->helpnewconfig, "List new symbols with their help");
  cmd->add_flag("--oldaskconfig", args->oldaskconfig,
                "Ask every question on stdin/stdout (the default mode)");
  cmd->add_flag("--oldconfig", args->oldconfig, "Update .config, asking for new symbols");
  cmd->add_flag("--syncconfig", args->syncconfig,
                "Like --oldconfig, also updates include/{config,generated}/");
  cmd->add_flag("--randconfig", args->randconfig, "New config with random answers ($KCONFIG_SEED)");
  cmd->add_flag("--yes2modconfig", args->yes2modconfig, "Change answers from yes to mod");
  cmd->add_flag("--mod2yesconfig", args->mod2yesconfig, "Change answers from mod to yes");
  cmd->add_flag("--mod2noconfig", args->mod2noconfig, "Change answers from mod to no");
  cmd->add_option("--defconfig", args->defconfig, "New config from a defconfig file");
  cmd->add_option("--savedefconfig", args->savedefconfig, "Save the minimal config to FILE");
  cmd->add_flag("-s,--silent", args->silent, "Print no messages");
  cmd->add_option("--record-profile", args->record_profile,
                  "Record every $(shell,...) result into a toolchain profile FILE");
  cmd->add_option("--replay-profile", args->replay_profile,
                  "Answer $(shell,...) from a toolchain profile FILE instead of running commands");
  cmd->add_option("--tree-cache", args->tree_cache,
                  "Keep parsed trees in DIR (default: $RUNNER_KERNEL_TREE_CACHE, else "
                  "$RK_CACHE/kconfig-trees, else $XDG_CACHE_HOME/runner-kernel/kconfig-trees)");
  cmd->add_flag("--no-tree-cache", args->no_tree_cache,
                "Parse the Kconfig tree every time; read and write no parsed-tree cache");
  cmd->add_option("--kernel-version", args->kernel_version,
                  "Kconfig dialect to follow (e.g. 6.1); default: from the source tree");
  cmd->add_option("kconfig", args->kconfig, "Top-level Kconfig file")->required();
  return [args] { return run_kconfig(*args); };
}

namespace {
const CommandRegistration kRegistration{"kconfig", 10, register_kconfig_command};
}  // namespace

}  // namespace rk::cli
