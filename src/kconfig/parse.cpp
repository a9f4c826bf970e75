// parse_kconfig(): sets up the pieces of the front end and runs them like conf_parse() does.
#include "kconfig/parse.hpp"

#include <fstream>
#include <sstream>

#include "base/file.hpp"
#include "base/kernel_version.hpp"
#include "kconfig/base_dirs.hpp"
#include "kconfig/builder.hpp"
#include "kconfig/finalize.hpp"
#include "kconfig/lexer.hpp"
#include "kconfig/parser.hpp"
#include "kconfig/preprocess.hpp"
#include "kconfig/source_stack.hpp"
#include "kconfig/toolchain_profile.hpp"

namespace rk::kconfig {

namespace {

// The release a kernel Makefile names ("VERSION = 6", "PATCHLEVEL = 1").
bool makefile_release(const std::string& text, Dialect& out) {
  auto version = base::parse_makefile_version(text);
  if (!version) return false;
  out = Dialect{version->version, version->patchlevel};
  return true;
}

Dialect detect_dialect(const ParseOptions& o, const std::string& srctree) {
  if (o.dialect) return *o.dialect;
  std::string kernelversion = env_value(o.env, "KERNELVERSION");
  if (!kernelversion.empty()) return parse_dialect(kernelversion);
  auto read = [&](const std::string& path, std::string& text) {
    std::string full = in_directory(o.cwd, path);
    if (o.read_file) return o.read_file(full, text);
    auto contents = base::read_file_if_readable(full);
    if (!contents) return false;
    text = std::move(*contents);
    return true;
  };
  Dialect d;
  std::string text;
  if (!srctree.empty() && read(srctree + "/Makefile", text) && makefile_release(text, d)) return d;
  if (read("Makefile", text) && makefile_release(text, d)) return d;
  return kNewestDialect;
}

// Records each command and what it printed, for the parse cache.
class ShellLog : public ShellRunner {
 public:
  ShellLog(ShellRunner& inner, std::vector<ParseInputs::ShellCall>& calls)
      : inner_(inner), calls_(calls) {}
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override {
    std::string out = inner_.run(command, env, cwd);
    std::string seen = out;
    if (size_t nul = seen.find('\0'); nul != std::string::npos) seen.resize(nul);
    calls_.push_back({command, std::move(seen)});
    return out;
  }

 private:
  ShellRunner& inner_;
  std::vector<ParseInputs::ShellCall>& calls_;
};

// A $(shell,...) command may change files; the source stack then forgets what it knows of the
// file system. (A ReplayShell runs nothing and needs no watching.)
class ShellWatch : public ShellRunner {
 public:
  ShellWatch(ShellRunner& inner, SourceStack& files) : inner_(inner), files_(files) {}
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override {
    std::string out = inner_.run(command, env, cwd);
    files_.files_may_have_changed();
    return out;
  }

 private:
  ShellRunner& inner_;
  SourceStack& files_;
};

}  // namespace

std::unique_ptr<Tree> parse_kconfig(const ParseOptions& options) {
  if (!options.diag) throw KconfigError("parse_kconfig: no diagnostics sink");
  Diagnostics& diag = *options.diag;
  std::string srctree =
      options.srctree.empty() ? env_value(options.env, "srctree") : options.srctree;
  // The dialect must be set before any symbol exists: it decides conf's hash table layout.
  const Dialect dialect = detect_dialect(options, srctree);
  std::string arch = env_value(options.env, "SRCARCH");
  if (arch.empty()) arch = env_value(options.env, "ARCH");

  // With a store, a tree parsed before comes back when nothing it read has changed; otherwise
  // this parse records what it reads.
  const bool cached = options.snapshots && !options.read_file && options.finalize;
  std::string key;
  std::optional<ParseInputs> inputs;
  if (cached) {
    key = parse_cache_key(options, srctree, dialect, arch);
    if (auto tree = restore_unchanged_tree(options, key, srctree)) return tree;
    inputs.emplace();
  }
  ParseInputs* record = inputs ? &*inputs : nullptr;
  size_t diag_lines_seen = diag.lines().size();  // diagnostics lines already in record->output
  const int diag_errors_before = diag.error_count();
  auto record_diagnostics = [&] {
    for (; diag_lines_seen < diag.lines().size(); ++diag_lines_seen)
      record->output.push_back({false, diag.lines()[diag_lines_seen]});
  };

  auto tree = std::make_unique<Tree>();
  tree->dialect = dialect;
  tree->srctree = srctree;
  tree->arch = arch;

  SourceStack files(*tree,
                    {options.cwd, srctree, options.read_file, options.limits.source_statements,
                     options.limits.total_source_bytes, record});
  Lexer lexer(tree->dialect, files, diag, options.limits.warnings);
  std::optional<ShellLog> log;
  std::optional<ShellWatch> watch;
  ShellRunner* shell = options.shell;
  if (shell && record) shell = &log.emplace(*shell, record->shell);
  if (shell && !dynamic_cast<ReplayShell*>(options.shell)) shell = &watch.emplace(*shell, files);
  MacroEnvironment menv;
  menv.env = &options.env;
  menv.shell = shell;
  menv.cwd = options.cwd;
  menv.diag = &diag;
  menv.info = options.info;
  if (record) {
    // $(info,...) lines interleave with the warnings: keep both, in order.
    menv.info = [&options, &record_diagnostics, record](const std::string& line) {
      record_diagnostics();
      record->output.push_back({true, line});
      if (options.info) options.info(line);
    };
  }
  menv.env_used = &tree->env_used;
  menv.env_unset = record ? &record->env_unset : nullptr;
  menv.limits = options.limits;
  Preprocessor pp(std::move(menv), lexer);
  lexer.set_preprocessor(pp);

  files.open_top(options.kconfig);
  TreeBuilder builder(*tree, diag);
  Parser parser(*tree, lexer, pp, builder, diag);
  parser.parse();

  if (Symbol* modules = parser.modules_symbol()) tree->modules = modules;
  if (!tree->root.prompt) {
    // conf_parse(): a tree without 'mainmenu' gets this root prompt, stamped with wherever
    // the lexer stopped.
    TreeBuilder root(*tree, diag);
    root.set_location(lexer.current_file(), lexer.statement_line());
    root.add_prompt(PropType::Menu, "Main menu", nullptr);
  }
  tree->mainmenu = tree->root.prompt->text;

  if (options.finalize) finalize_tree(*tree, diag, options.limits.simplify_work);
  // Computed once now, so that configurations on other threads only ever read it.
  tree->symbols_in_hash_order();

  // A parse that reported errors without stopping is not worth keeping.
  if (record && diag.error_count() == diag_errors_before) {
    record_diagnostics();
    store_parsed_tree(options, key, std::move(*record), *tree);
  }
  return tree;
}

}  // namespace rk::kconfig
