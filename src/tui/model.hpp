// The model behind `runner-kernel menuconfig`: the kernel's menu tree merged across variants,
// each variant's live configuration, the per-variant value of every row, which fragment sets
// it, the column selection and the pending changes. No terminal code: the ncurses view
// (screen.hpp) only reads this model and calls its operations, so everything here is
// unit-testable.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kconfig/config.hpp"
#include "kconfig/tree.hpp"
#include "variants/edit.hpp"
#include "variants/workspace.hpp"

namespace rk::tui {

enum class NodeKind { Root, Menu, Symbol, Choice, Comment };

// One entry of the merged menu tree: the same menu, symbol, choice or comment in every variant
// that has it (matched by symbol name, or by prompt text for menus, choices and comments,
// among the children of the same merged parent).
struct Node {
  std::string key;  // identity among siblings
  NodeKind kind = NodeKind::Menu;
  std::string prompt;  // from the first variant that has the entry
  std::string name;    // symbol name; "" for menus, comments and nameless choices
  bool page = false;   // opened with Enter (menu, menuconfig symbol, choice)
  Node* parent = nullptr;
  std::vector<std::unique_ptr<Node>> children;
  std::vector<const kconfig::Menu*> menus;  // per variant; nullptr where absent
};

// A row of a page: a node and its indentation (symbols that depend on the symbol above them
// are shown below it, indented, as in the kernel's menuconfig).
struct Row {
  Node* node = nullptr;
  int depth = 0;
};

enum class CellState { Absent, Invisible, Shown };

struct Cell {
  CellState state = CellState::Absent;
  std::string text;         // "y", "m", "n", a number or string value, a choice's member
  bool changeable = false;  // the user can change it in this variant
  bool pending = false;     // a change to this symbol is pending in this variant
};

// Where a fragment sets a symbol for one variant (the last fragment that applies wins).
struct FragmentMark {
  std::string fragment;  // matrix-relative path
  std::string value;     // as requested, normalised ("y", "n", "17", unquoted string)
};

// The outcome of a change in one variant.
struct VariantOutcome {
  size_t variant = 0;
  bool landed = false;
  std::string reason;  // why it did not land (one line)
};

struct ChangeResult {
  std::string symbol;
  std::string value;
  std::vector<VariantOutcome> outcomes;  // one per targeted variant
  double ms = 0;                         // time to apply and re-resolve
  size_t landed_count() const;
  size_t refused_count() const;
};

class Model {
 public:
  // Loads (parses in parallel) and resolves `variants` of `ws` and merges their menu trees.
  Model(variants::Workspace& ws, std::vector<const variants::Variant*> variants);
  ~Model();

  variants::Workspace& workspace() { return ws_; }
  size_t variant_count() const { return vars_.size(); }
  const variants::Variant& variant(size_t i) const { return *vars_[i].variant; }
  kconfig::Config& config(size_t i) { return *vars_[i].config; }
  const std::string& title() const { return title_; }

  Node* root() { return root_.get(); }
  // Rows of a page (the root, a menu, a menuconfig symbol or a choice): entries shown in at
  // least one variant (every entry when show_all is set).
  std::vector<Row> rows(Node* page);
  bool show_all = false;

  bool visible(const Node* n, size_t v);
  Cell cell(const Node* n, size_t v);
  // The symbol of a node in variant v (nullptr when absent or not a symbol).
  kconfig::Symbol* symbol(const Node* n, size_t v) const;
  // The effective type of a symbol node (first variant that has it).
  kconfig::SymbolType type(const Node* n);

  // Fragment marks of a symbol: per variant, the fragment that sets it (nullopt: none).
  std::vector<std::optional<FragmentMark>> marks(const Node* n);

  // Columns a change applies to: the selected ones, or every variant when none is selected.
  void toggle_column(size_t v);
  void clear_selection();
  bool selected(size_t v) const { return selected_[v]; }
  std::vector<size_t> targets() const;

  // Sets the node's symbol to `value` ("y", "m", "n" for bool/tristate; the text otherwise,
  // or a choice member to "y") in the target variants, re-resolving every variant.
  ChangeResult set_value(Node* n, const std::string& value);
  // Space: the next value (n -> m -> y -> n, skipping what the type forbids) of the first
  // target variant where the symbol is shown.
  ChangeResult cycle(Node* n);
  // Why `value` cannot be set for the symbol of `n` in variant v, and what to set to make it
  // possible ("" when it can).
  std::string why_not(const Node* n, size_t v, const std::string& value);
  // The config workflow's diagnosis of the same, with a verified fix (costs a resolve).
  std::vector<std::string> diagnose(const Node* n, size_t v, const std::string& value);

  // Pending changes: symbol -> variant index -> requested value.
  const std::map<std::string, std::map<size_t, std::string>>& pending() const { return pending_; }
  bool dirty() const { return !pending_.empty(); }
  // The pending changes as `config set` takes them: per symbol, one change per requested value
  // naming the variants that want it.
  std::vector<variants::SettingChange> changes() const;
  // The fragment edits saving would make: `config set`'s planner (variants::plan_edits) over
  // the fragments as this model last read them.
  variants::EditPlan plan();
  // The plan as a unified-style diff of the fragments (or why it is refused).
  std::string diff_text();
  // Saves as `config set` does: takes the repository's configuration lock, reads
  // variants.toml and the fragments again (another writer may have changed them since they
  // were loaded), plans the pending changes over what is there now, writes every file or none
  // (variants::write_plan) and re-resolves every variant from the files. Returns the problems
  // (empty on success, when the fragments were written; else nothing was written).
  std::vector<std::string> save();

  // Entries whose symbol name or prompt contains `query` (case-insensitive), in menu order.
  std::vector<Node*> search(const std::string& query);
  // The pages from the root to the page that shows `n` (root first), and n's row there.
  std::vector<Node*> path_to(Node* n);
  // Help text (conf's) of the node in variant v, plus the explanation of its value.
  std::string help_text(Node* n, size_t v, size_t width);

  // The resolved .config text of variant v as the live configuration has it now.
  std::string config_text(size_t v);
  // Re-resolves every variant from the fragments (as saved or edited in memory), dropping
  // the live edits.
  void reload();

  // Every node of the merged tree, depth first (for tests and search).
  std::vector<Node*> all_nodes();
  Node* find_symbol(const std::string& name);

 private:
  struct VariantState {
    const variants::Variant* variant = nullptr;
    const kconfig::Tree* tree = nullptr;
    std::unique_ptr<kconfig::Config> config;
    std::vector<std::string> snapshot;  // every symbol's value by id, after the last change
    std::vector<std::string> base;      // the same, as the fragments resolve (load / save)
  };
  void build_tree();
  void merge_children(Node* into, size_t v, const kconfig::Menu* parent);
  void add_rows(Node* n, int depth, std::vector<Row>& out);
  void snapshot(size_t v, size_t* changes);
  ChangeResult apply(Node* n, const std::string& value, const std::vector<size_t>& targets);
  std::string cell_text(const Node* n, size_t v);

  variants::Workspace& ws_;
  std::vector<VariantState> vars_;
  std::unique_ptr<Node> root_;
  std::vector<bool> selected_;
  std::map<std::string, std::map<size_t, std::string>> pending_;
  std::string title_;
};

// "y"/"m"/"n" for the tristate.
std::string tri_text(kconfig::Tristate t);

}  // namespace rk::tui
