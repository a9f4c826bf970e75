// `runner-kernel config set SYM=VALUE...` and `config unset SYM...`: edit the right fragment,
// re-resolve the affected variants, and refuse (changing nothing) when a value would not land.
#include <fmt/format.h>

#include <cstdio>

#include "cli/config_common.hpp"
#include "variants/edit.hpp"

namespace rk::cli {

namespace {

struct SetArgs {
  std::vector<std::string> assignments;  // SYM=VALUE, or SYM for unset
  std::vector<std::string> variants;
  bool all = false;
  std::string fragment;
  std::string reason;
  bool dry_run = false;
};

std::string strip_prefix(std::string sym) {
  if (sym.rfind("CONFIG_", 0) == 0) sym.erase(0, 7);
  return sym;
}

int run_edit(const ConfigOptions& options, const SetArgs& args, bool unset) {
  if (args.all && !args.variants.empty())
    throw std::runtime_error("give --variant or --all, not both");
  // Taken before reading: the plan is made from what the previous writer left, never from a
  // copy another process is about to replace. Held until the files are written.
  std::unique_ptr<base::FileLock> lock;
  if (!args.dry_run) lock = options.lock_configuration(unset ? "config unset" : "config set");
  auto ws = options.open_workspace();
  std::vector<variants::SettingChange> changes;
  for (const auto& a : args.assignments) {
    variants::SettingChange ch;
    ch.variants = args.variants;
    ch.fragment = args.fragment;
    ch.reason = args.reason;
    if (unset) {
      ch.symbol = strip_prefix(a);
    } else {
      size_t eq = a.find('=');
      if (eq == std::string::npos || eq == 0)
        throw std::runtime_error(fmt::format(
            "'{}': expected SYMBOL=VALUE (e.g. OVERLAY_FS=y, LOG_BUF_SHIFT=17, CMDLINE=\"...\")",
            a));
      ch.symbol = strip_prefix(a.substr(0, eq));
      ch.value = a.substr(eq + 1);
      if (ch.value->empty()) ch.value = "\"\"";
    }
    changes.push_back(std::move(ch));
  }
  variants::EditPlan plan = variants::plan_edits(*ws, changes);
  if (!plan.ok()) {
    variants::CheckReport r;
    r.findings = plan.refusals;
    std::string text = variants::render_check_text(r);
    // The summary table of an empty report says nothing here: print from the findings on.
    size_t first = text.find("\n\n");
    std::fprintf(stderr, "refused: nothing was changed.\n%s",
                 first == std::string::npos ? text.c_str() : text.c_str() + first + 1);
    return 1;
  }
  if (!plan.changes_files()) {
    // Already as asked (or nothing to unset): no file is written, no variant re-resolved.
    for (const auto& note : plan.notes) std::printf("%s\n", note.c_str());
    std::printf("nothing to change\n");
    return 0;
  }
  std::string diff = variants::plan_diff(*ws, plan);
  std::fputs(diff.c_str(), stdout);
  if (args.dry_run) {
    std::printf("dry run: nothing written (%zu variant(s) checked: all values land)\n",
                plan.affected.size());
    return 0;
  }
  variants::write_plan(ws->matrix(), plan);
  // Re-resolve from the written files and refresh build/<variant>/.config.
  auto fresh = options.open_workspace();
  for (const auto& name : plan.affected) {
    const variants::Variant* v = fresh->matrix().find_variant(name);
    if (!v) continue;
    variants::Evaluation ev = fresh->resolve(*v);
    write_atomically(fmt::format("{}/{}/.config", fresh->matrix().absolute("build"), name),
                     ev.config_text);
  }
  std::printf("%s; re-resolved: ", plan.notes.empty() ? "done" : "written");
  for (size_t i = 0; i < plan.affected.size(); ++i)
    std::printf("%s%s", i ? ", " : "", plan.affected[i].c_str());
  std::printf("\n");
  return 0;
}

CommandRunner register_set(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<SetArgs>();
  CLI::App* cmd = config.add_subcommand(
      "set",
      "Set SYM=VALUE in the right fragment for some or all variants (refused if it would "
      "not land)");
  cmd->add_option("assignments", args->assignments, "SYMBOL=VALUE (CONFIG_ prefix optional)")
      ->required();
  cmd->add_option("--variant", args->variants, "Variants, branches or arches (default: all)");
  cmd->add_flag("--all", args->all, "Every variant (the default)");
  cmd->add_option("--fragment", args->fragment, "Fragment to edit (default: chosen)");
  cmd->add_option("--reason", args->reason, "Why: written as the line's comment");
  cmd->add_flag("-n,--dry-run", args->dry_run, "Show the edit and check it; write nothing");
  return [options, args] { return run_edit(*options, *args, false); };
}

CommandRunner register_unset(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<SetArgs>();
  CLI::App* cmd = config.add_subcommand(
      "unset", "Remove SYM's fragment lines for some or all variants (back to the default)");
  cmd->add_option("symbols", args->assignments, "SYMBOL (CONFIG_ prefix optional)")->required();
  cmd->add_option("--variant", args->variants, "Variants, branches or arches (default: all)");
  cmd->add_flag("--all", args->all, "Every variant (the default)");
  cmd->add_flag("-n,--dry-run", args->dry_run, "Show the edit and check it; write nothing");
  return [options, args] { return run_edit(*options, *args, true); };
}

const ConfigSubcommandRegistration kSet{"set", 30, register_set};
const ConfigSubcommandRegistration kUnset{"unset", 31, register_unset};

}  // namespace

}  // namespace rk::cli
