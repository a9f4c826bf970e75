// One configuration evaluated over a Tree: user values (from .config files or edits) and the
// values, visibilities and write decisions that follow from them, computed lazily and cached
// exactly the way scripts/kconfig does (including where its caching is observable).
//
// Any number of Configs can share one Tree; a Config is not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kconfig/diagnostics.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

// Per-configuration flags of a symbol.
enum StateFlag : uint32_t {
  kValid = 1u << 0,    // value is computed for the current inputs
  kWrite = 1u << 1,    // belongs in .config
  kWritten = 1u << 2,  // already written during this conf_write pass
  kDefUser = 1u << 3,  // has a user value
  kNeedSetChoiceValues = 1u << 4,
  kDefAuto = 1u << 5,
};

struct SymbolState {
  // Evaluation mostly asks "valid? then what value?": those three share the first cache line.
  Tristate tri = Tristate::No;  // current tristate value
  Tristate visible = Tristate::No;
  Tristate dir_dep = Tristate::No;
  Tristate rev_dep = Tristate::No;
  uint32_t flags = 0;
  // kValid holds only while this equals the Config's epoch: clear_all_valid() starts a new
  // epoch instead of visiting every symbol.
  uint32_t epoch = 0;
  Tristate implied = Tristate::No;
  Tristate user_tri = Tristate::No;
  Symbol* chosen = nullptr;  // current selection of a pre-6.11 choice
  std::string val;           // current string value (int/hex/string symbols)
  std::string user_val;
  Symbol* user_choice = nullptr;  // user's selection of a pre-6.11 choice
};

// conf's sym_string_valid: is `text` a well-formed value for a symbol of `type`?
bool string_valid_for(SymbolType type, std::string_view text);

class Config {
 public:
  explicit Config(const Tree& tree, Diagnostics* diag = nullptr);

  const Tree& tree() const { return *tree_; }
  void set_diagnostics(Diagnostics* diag) { diag_ = diag; }
  Diagnostics* diagnostics() const { return diag_; }

  // --- values --------------------------------------------------------------------------
  void calc(Symbol* sym);                                        // sym_calc_value
  Tristate tri(const Symbol* sym) const { return st(sym).tri; }  // as last computed
  std::string string_value(const Symbol* sym) const;   // sym_get_string_value (no recompute)
  Tristate eval(const Expr* e);                        // expr_calc_value
  SymbolType effective_type(const Symbol* sym) const;  // sym_get_type
  bool has_user_value(const Symbol* sym) const { return st(sym).flags & kDefUser; }
  bool is_changeable(const Symbol* sym) const;  // visible above what selects force
  std::string string_default(Symbol* sym);      // sym_get_string_default
  Tristate prop_visibility(const Property* p) const { return prop_vis_[p->id]; }
  // sym_get_range_prop: the first range whose condition holds (evaluating the conditions).
  const Property* active_range(const Symbol* sym) { return range_prop(sym); }

  // --- user edits ------------------------------------------------------------------------
  bool tristate_within_range(const Symbol* sym, Tristate v) const;
  bool set_tristate(Symbol* sym, Tristate v);        // sym_set_tristate_value
  bool set_string(Symbol* sym, std::string_view v);  // sym_set_string_value
  bool string_within_range(Symbol* sym, std::string_view v);
  void clear_all_valid();  // sym_clear_all_valid
  // The symbol's value is computed for the current inputs (conf's SYMBOL_VALID).
  bool is_valid(const Symbol* sym) const { return valid(st(sym)); }
  // Forgets one symbol's computed value, so that the next calc() recomputes it from the
  // (cached) values it depends on. conf has no such thing: only for a caller that changed
  // nothing but this symbol's own inputs (its user value) and asks for nothing but its value.
  // Also for code that clears kValid itself: it must call this instead.
  void invalidate(const Symbol* sym) {
    state(sym).flags &= ~kValid;
    forget_memos();
  }

  // --- menus ---------------------------------------------------------------------------
  bool menu_visible(const Menu* menu);  // menu_is_visible (with its side effect)
  bool menu_empty(const Menu* menu);

  // 6.11+ choices: the member chosen, recomputing member values.
  Symbol* calc_choice_block(const Menu* choice);
  // Pre-6.11: default member of a choice symbol (sym_choice_default).
  Symbol* choice_default(Symbol* choice);
  // Sets every member of a 6.11+ choice block from a user selection.
  void choice_set_value(const Menu* choice, Symbol* chosen);

  // Raw state, for the .config reader/writer and the explainer.
  SymbolState& state(const Symbol* sym) { return states_[sym->id]; }
  const SymbolState& st(const Symbol* sym) const { return states_[sym->id]; }
  Tristate modules_value() const { return modules_val_; }
  int unmet_dependency_warnings() const { return unmet_warnings_; }
  // conf's "configuration changed" flag: decides whether writing recomputes every value.
  bool changed() const { return changed_; }
  void set_changed(bool c) { changed_ = c; }

  // 6.11+: member order used to break ties (user input moves members to the front).
  std::vector<Symbol*>& choice_order(const Symbol* choice_sym);

 private:
  bool valid(const SymbolState& s) const { return (s.flags & kValid) && s.epoch == epoch_; }
  // Menu dependencies' values (Expr::memo) hold while no symbol changes value. Within one
  // generation a symbol changes value only while calc() computes it, and no dependency
  // evaluated meanwhile contains it (conf rejects such loops at parse time): every other change
  // (invalidation, the settling of a choice) starts a new generation.
  struct MemoSlot {
    uint64_t generation = 0;
    Tristate value = Tristate::No;
  };
  void forget_memos() { ++memo_generation_; }
  Tristate eval_uncached(const Expr* e);
  void set_valid(SymbolState& s) const {
    s.flags |= kValid;
    s.epoch = epoch_;
  }
  void calc_visibility(Symbol* sym);
  const Property* default_prop(const Symbol* sym);
  const Property* range_prop(const Symbol* sym);
  long long range_bound(Symbol* bound, int base);
  void validate_range(Symbol* sym);
  Symbol* calc_old_choice(Symbol* choice);
  void set_all_choice_values(Symbol* choice);
  void warn_unmet_dependency(const Symbol* sym);

  const Tree* tree_;
  Diagnostics* diag_;
  std::vector<SymbolState> states_;
  std::vector<Tristate> prop_vis_;
  std::vector<std::vector<Symbol*>> choice_orders_;  // by choice symbol id (6.11+)
  std::vector<const Expr*> eval_stack_;              // eval()'s left spines
  std::vector<MemoSlot> memos_;                      // by Expr::memo
  uint64_t memo_generation_ = 1;
  uint32_t epoch_ = 1;
  Tristate modules_val_ = Tristate::No;
  int unmet_warnings_ = 0;
  bool changed_ = false;
};

}  // namespace rk::kconfig
