#include "variants/workspace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <string_view>
#include <thread>

#include "kconfig/conf_modes.hpp"
#include "kconfig/confdata.hpp"
#include "kconfig/diagnostics.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/shell_runner.hpp"
#include "kconfig/toolchain_profile.hpp"
#include "variants/kbuild_env.hpp"
#include "variants/parallel.hpp"

namespace rk::variants {

namespace fs = std::filesystem;

namespace {

// The name conf's reader gives the merged fragments in its warnings.
constexpr const char* kMergedName = "fragments";

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Workspace::Workspace(Matrix matrix, TreeLocator locator, ToolchainMode mode)
    : matrix_(std::move(matrix)), locator_(std::move(locator)), mode_(mode) {}

Workspace::~Workspace() = default;

const Fragment& Workspace::fragment(const std::string& path) {
  auto it = fragments_.find(path);
  if (it != fragments_.end()) return it->second;
  Fragment f = load_fragment(matrix_.absolute(path), path);
  return fragments_.emplace(path, std::move(f)).first->second;
}

void Workspace::set_fragment_text(const std::string& path, const std::string& text) {
  Fragment f = parse_fragment(text, path);
  fragments_[path] = std::move(f);
  edited_[path] = text;
}

void Workspace::reread_matrix() {
  Matrix fresh = Matrix::load(matrix_.path);
  bool same = fresh.variants.size() == matrix_.variants.size();
  for (size_t i = 0; same && i < fresh.variants.size(); ++i)
    same = fresh.variants[i].name == matrix_.variants[i].name;
  if (!same)
    throw VariantsError(
        ErrorKind::kMatrix,
        fmt::format("{}: the variants changed since it was loaded; start again", matrix_.path));
  // Assigning element by element and moving the vector keeps every Variant where it was.
  for (size_t i = 0; i < fresh.variants.size(); ++i)
    matrix_.variants[i] = std::move(fresh.variants[i]);
  fresh.variants = std::move(matrix_.variants);
  matrix_ = std::move(fresh);
}

void Workspace::reread_fragments() {
  fragments_.clear();
  edited_.clear();
}

std::map<std::string, std::string> Workspace::edited_fragments() const {
  return edited_;
}

VariantTree& Workspace::tree(const Variant& v) {
  auto it = trees_.find(v.name);
  if (it != trees_.end()) return *it->second;

  auto vt = std::make_unique<VariantTree>();
  vt->variant = &v;
  const BranchSpec& branch = matrix_.branch_of(v);
  const ArchSpec& arch = matrix_.arch_of(v);
  vt->tree_dir = locator_(branch);

  std::string profile_path = matrix_.profile_path(v);
  std::error_code ec;
  bool have_profile = fs::is_regular_file(profile_path, ec);
  ToolchainMode mode = mode_;
  if (mode == ToolchainMode::Auto)
    mode = have_profile ? ToolchainMode::Replay : ToolchainMode::Live;
  if (mode == ToolchainMode::Replay && !have_profile)
    throw VariantsError(
        ErrorKind::kTree,
        fmt::format(
            "{}: no toolchain profile for variant {} (record it on a machine with the toolchain: "
            "runner-kernel config resolve --record-toolchain {})",
            profile_path, v.name, v.name));

  // Chains: replay = normalize -> profile; record = normalize -> recorder -> denormalize ->
  // live; live = live.
  kconfig::LiveShell live;
  kconfig::SrctreeMarkShell denormalize(live, vt->tree_dir, false);
  std::unique_ptr<kconfig::ShellRunner> inner;
  kconfig::RecordingShell* recorder = nullptr;
  if (mode == ToolchainMode::Replay) {
    inner = std::make_unique<kconfig::ReplayShell>(kconfig::ToolchainProfile::load(profile_path));
    vt->toolchain = "replay " + profile_path;
  } else if (mode == ToolchainMode::Record) {
    auto rec = std::make_unique<kconfig::RecordingShell>(denormalize);
    recorder = rec.get();
    inner = std::move(rec);
    vt->toolchain = "live, recorded to " + profile_path;
  } else {
    vt->toolchain = "live";
  }
  std::unique_ptr<kconfig::SrctreeMarkShell> normalize;
  if (inner) normalize = std::make_unique<kconfig::SrctreeMarkShell>(*inner, vt->tree_dir, true);
  kconfig::ShellRunner& runner = normalize ? static_cast<kconfig::ShellRunner&>(*normalize) : live;

  auto t0 = std::chrono::steady_clock::now();
  vt->env = kbuild_environment(arch, vt->tree_dir, host_machine(), runner);
  kconfig::Diagnostics diag;
  kconfig::ParseOptions po;
  po.kconfig = "Kconfig";
  po.cwd = vt->tree_dir;
  po.srctree = vt->tree_dir;
  po.env = vt->env;
  po.shell = &runner;
  po.diag = &diag;
  po.dialect = kconfig::parse_dialect(branch.version);
  po.snapshots = tree_cache_.get();
  try {
    vt->tree = kconfig::parse_kconfig(po);
  } catch (const kconfig::KconfigError& e) {
    throw VariantsError(ErrorKind::kTree,
                        fmt::format("variant {} ({}): {}", v.name, vt->tree_dir, e.what()));
  }
  vt->parse_ms = ms_since(t0);
  vt->parse_warnings = diag.lines();
  if (recorder) {
    fs::create_directories(fs::path(profile_path).parent_path(), ec);
    recorder->profile().save(profile_path);
  }
  return *trees_.emplace(v.name, std::move(vt)).first->second;
}

void Workspace::use_tree_cache(const std::string& dir) {
  tree_cache_ = dir.empty() ? nullptr : std::make_shared<kconfig::DirectorySnapshotStore>(dir);
}

void Workspace::load_trees(const std::vector<const Variant*>& variants) {
  // Fragments and locator calls first, on this thread: they touch shared maps.
  for (const Variant* v : variants) {
    if (trees_.count(v->name)) continue;
    for (size_t i : v->fragments) fragment(matrix_.fragments[i].path);
  }
  std::vector<const Variant*> pending;
  for (const Variant* v : variants)
    if (!trees_.count(v->name)) pending.push_back(v);
  // Each tree is parsed by a private workspace (no shared state), then moved in. Workers take
  // the next variant as soon as they are done (trees differ in size), the largest first.
  std::stable_sort(pending.begin(), pending.end(), [this](const Variant* a, const Variant* b) {
    return matrix_.branch_of(*a).version > matrix_.branch_of(*b).version;
  });
  std::vector<std::unique_ptr<VariantTree>> parsed(pending.size());
  std::vector<std::exception_ptr> errors = for_each_in_parallel(pending.size(), [&](size_t i) {
    Workspace private_ws(matrix_, locator_, mode_);
    private_ws.tree_cache_ = tree_cache_;  // the store is safe to share between threads
    private_ws.tree(*private_ws.matrix().find_variant(pending[i]->name));
    parsed[i] = std::move(private_ws.trees_.begin()->second);
    parsed[i]->variant = pending[i];
  });
  for (auto& vt : parsed)
    if (vt) trees_.emplace(vt->variant->name, std::move(vt));
  // The first error in the order the variants were asked for.
  for (const Variant* v : variants)
    for (size_t i = 0; i < pending.size(); ++i)
      if (pending[i] == v && errors[i]) std::rethrow_exception(errors[i]);
}

std::string Workspace::merged_fragments(const Variant& v) {
  std::string out;
  for (size_t i : v.fragments) out += fragment_config_text(fragment(matrix_.fragments[i].path));
  return out;
}

Evaluation Workspace::evaluate(const Variant& v, const std::string& allconfig, bool from_allno) {
  VariantTree& vt = tree(v);
  Evaluation ev;
  ev.config = std::make_unique<kconfig::Config>(*vt.tree, nullptr);
  kconfig::Diagnostics reader_diag;
  ev.config->set_diagnostics(&reader_diag);
  kconfig::ConfRequest req;
  req.mode = from_allno ? kconfig::ConfMode::AllNoconfig : kconfig::ConfMode::AllDefconfig;
  req.env = vt.env;
  req.env["KCONFIG_ALLCONFIG"] = kMergedName;
  req.files.cwd = vt.tree_dir;
  req.files.srctree = vt.tree_dir;
  req.files.read_override = [&](const std::string& name) -> std::optional<std::string> {
    if (name == kMergedName) return allconfig;
    return std::nullopt;
  };
  kconfig::ConfOutcome out = kconfig::run_conf_mode(*ev.config, req);
  ev.config->set_diagnostics(nullptr);
  ev.diagnostics = reader_diag.lines();
  if (out.exit_code != 0 || !out.config)
    throw VariantsError(ErrorKind::kResolve,
                        fmt::format("variant {}: resolving failed: {}", v.name, out.error));
  ev.config_text = std::move(*out.config);
  return ev;
}

}  // namespace rk::variants
