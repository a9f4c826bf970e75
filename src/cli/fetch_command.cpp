// `runner-kernel fetch [BRANCH...]`: each branch's kernel source as variants.toml says,
// verified, extracted once into the cache and patched (see src/source/fetch.hpp).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "source/fetch.hpp"
#include "source/progress.hpp"
#include "source/util.hpp"
#include "variants/matrix.hpp"

namespace rk::cli {

namespace {

struct FetchArgs {
  std::vector<std::string> branches;
  std::string matrix_path;
  std::string from;
  std::string keyring;
  bool update_pins = false;
  bool force = false;
  bool trust_on_first_use = false;
  bool quiet = false;
};

std::atomic<bool> g_cancel{false};

extern "C" void on_signal(int) {
  g_cancel.store(true);
}

int run_fetch(const FetchArgs& a) {
  variants::Matrix m = variants::Matrix::load(variants::find_matrix_file(a.matrix_path));
  bool local = !a.from.empty() && a.from != "tarball" && a.from != "debian";
  std::vector<const variants::BranchSpec*> branches;
  if (a.branches.empty() && local) {
    const variants::BranchSpec* b = source::branch_for_tree(m, a.from);
    if (!b) {
      std::fprintf(stderr,
                   "runner-kernel fetch: %s is not a kernel tree of any branch's pinned release "
                   "(name the branch to see why)\n",
                   a.from.c_str());
      return 1;
    }
    branches.push_back(b);
  } else if (a.branches.empty()) {
    for (const auto& b : m.branches) branches.push_back(&b);
  } else {
    for (const auto& name : a.branches) {
      const variants::BranchSpec* b = m.find_branch(name);
      if (!b) {
        std::string valid;
        for (const auto& x : m.branches) valid += (valid.empty() ? "" : ", ") + x.name;
        std::fprintf(stderr, "runner-kernel fetch: no branch '%s' in %s (branches: %s)\n",
                     name.c_str(), m.path.c_str(), valid.c_str());
        return 1;
      }
      branches.push_back(b);
    }
  }

  source::FetchOptions o;
  o.from = a.from;
  o.update_pins = a.update_pins;
  o.force = a.force;
  o.kernel_org_keyring = a.keyring;
  o.trust_on_first_use = a.trust_on_first_use;
  o.log = a.quiet ? nullptr : stderr;
  o.tty = source::stderr_is_tty();
  o.cancel = &g_cancel;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  int failures = 0;
  for (const variants::BranchSpec* b : branches) {
    // Pins recorded for one branch change the file: reload so the next sees them.
    variants::Matrix current = variants::Matrix::load(m.path);
    const variants::BranchSpec* cb = current.find_branch(b->name);
    try {
      source::FetchReport r = source::fetch_branch(current, *cb, o);
      std::printf("%s\t%s\t%s\t%s\n", cb->name.c_str(), r.tree.route.c_str(), r.tree.dir.c_str(),
                  r.tree.origin.c_str());
      std::fflush(stdout);
    } catch (const source::SourceError& e) {
      std::fprintf(stderr, "runner-kernel fetch %s: error: %s\n", cb->name.c_str(), e.what());
      ++failures;
      if (e.kind() == source::ErrorKind::kInterrupted || g_cancel.load()) break;
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

CommandRunner register_fetch_command(CLI::App& app) {
  auto args = std::make_shared<FetchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fetch", "Fetch, verify, extract and patch each branch's kernel source into the cache");
  cmd->add_option("branches", args->branches, "Branches to fetch (default: every branch)");
  cmd->add_option("--matrix", args->matrix_path, "variants.toml (default: found upwards)");
  cmd->add_option("--from", args->from,
                  "Route: tarball (kernel.org), debian (linux-source package), or a DIR holding "
                  "the pinned release (used in place); default: tarball, then debian when the "
                  "tarball cannot be downloaded");
  cmd->add_flag("--update-pins", args->update_pins,
                "Debian route: take the version the mirror serves now and record its version "
                "and sha256 in variants.toml");
  cmd->add_flag("--force", args->force, "Fetch again even when a ready tree is cached");
  cmd->add_option("--keyring", args->keyring,
                  "kernel.org keyring for gpgv to check sha256sums.asc (default: "
                  "$RK_KERNEL_ORG_KEYRING, else the repository's keys/kernel.org.gpg)");
  cmd->add_flag("--trust-on-first-use", args->trust_on_first_use,
                "Tarball route, empty pin: when kernel.org's sha256sums.asc cannot be verified "
                "(no signature, keyring or gpgv, or a bad signature), record the download's "
                "sha256 as the pin anyway instead of refusing it");
  cmd->add_flag("-q,--quiet", args->quiet, "Print only the result lines");
  cmd->footer(
      "Prints one line per branch on stdout: BRANCH<TAB>ROUTE<TAB>TREE<TAB>ORIGIN.\n"
      "Cache: $RK_CACHE, else $XDG_CACHE_HOME/runner-kernel, else ~/.cache/runner-kernel.");
  return [args] { return run_fetch(*args); };
}

namespace {
const CommandRegistration kRegistration{"fetch", 20, register_fetch_command};
}  // namespace

}  // namespace rk::cli
