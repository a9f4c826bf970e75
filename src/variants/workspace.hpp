// A workspace resolves the matrix's variants: one parsed Kconfig tree per variant (kept, so
// re-resolving after an edit costs only the evaluation), the fragments (from disk, or edited
// in memory before they are written), and any number of configurations over each tree.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kconfig/config.hpp"
#include "kconfig/parse_cache.hpp"
#include "kconfig/shell.hpp"
#include "kconfig/tree.hpp"
#include "variants/fragment.hpp"
#include "variants/matrix.hpp"

namespace rk::variants {

// How $(shell,...) macros and the toolchain's version texts are answered.
enum class ToolchainMode {
  Auto,    // replay the variant's profile when it exists, else run the toolchain
  Replay,  // replay the profile; a missing profile or command is an error
  Live,    // run the toolchain
  Record,  // run the toolchain and (re)write the variant's profile
};

// A variant's configuration over its tree.
struct Evaluation {
  std::unique_ptr<kconfig::Config> config;
  std::string config_text;               // the .config conf would write
  std::vector<std::string> diagnostics;  // conf's warnings while reading the fragments
};

struct VariantTree {
  const Variant* variant = nullptr;
  std::string tree_dir;
  kconfig::Environment env;
  std::unique_ptr<kconfig::Tree> tree;
  std::string toolchain;  // "replay <profile>" or "live"
  std::vector<std::string> parse_warnings;
  double parse_ms = 0;
};

class Workspace {
 public:
  // `tree_dir` maps a branch to its kernel source tree (the source stage's cache).
  using TreeLocator = std::function<std::string(const BranchSpec&)>;

  Workspace(Matrix matrix, TreeLocator locator, ToolchainMode mode = ToolchainMode::Auto);
  ~Workspace();

  const Matrix& matrix() const { return matrix_; }

  // The fragment at `path` (matrix-relative), as edited in memory or else read from disk.
  const Fragment& fragment(const std::string& path);
  // Replaces a fragment's text in memory (nothing is written); throws VariantsError when the
  // text does not parse.
  void set_fragment_text(const std::string& path, const std::string& text);
  // Reads variants.toml again (another writer may have added [[fragment]] entries). The
  // variants keep their addresses, so pointers to them stay valid; throws VariantsError
  // (kMatrix) when the variants themselves changed.
  void reread_matrix();
  // Forgets every fragment read or edited in memory, so the next fragment() reads the file as
  // it is now (menuconfig's save, under the configuration lock, edits what is on disk then).
  void reread_fragments();
  // Fragments changed in memory since loading: path -> new text.
  std::map<std::string, std::string> edited_fragments() const;

  // Keeps parsed trees in `dir` between runs (kconfig/parse_cache.hpp); by default every run
  // parses. Call before the first tree().
  void use_tree_cache(const std::string& dir);

  // Parses the variant's tree once (later calls return it). Throws on parse errors.
  VariantTree& tree(const Variant& v);
  // Parses the trees of all these variants, in parallel.
  void load_trees(const std::vector<const Variant*>& variants);

  // The merged fragment text the variant's configuration is resolved from (KCONFIG_ALLCONFIG).
  std::string merged_fragments(const Variant& v);
  // alldefconfig over `allconfig`: the kernel defaults plus those values. With `from_allno`,
  // allnoconfig instead (every prompt answered no unless `allconfig` says otherwise), as
  // `make allnoconfig KCONFIG_ALLCONFIG=...` does for small test kernels.
  Evaluation evaluate(const Variant& v, const std::string& allconfig, bool from_allno = false);
  // evaluate(v, merged_fragments(v)).
  Evaluation resolve(const Variant& v) { return evaluate(v, merged_fragments(v)); }

 private:
  Matrix matrix_;
  TreeLocator locator_;
  ToolchainMode mode_;
  std::map<std::string, Fragment> fragments_;
  std::map<std::string, std::string> edited_;
  std::map<std::string, std::unique_ptr<VariantTree>> trees_;
  std::shared_ptr<kconfig::SnapshotStore> tree_cache_;
};

}  // namespace rk::variants
