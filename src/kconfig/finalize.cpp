#include "kconfig/finalize.hpp"

#include <fmt/format.h>

#include <deque>
#include <string>
#include <vector>

#include "kconfig/conf_forms.hpp"
#include "kconfig/expr.hpp"

namespace rk::kconfig {

namespace {

class Finalizer {
 public:
  Finalizer(Tree& tree, Diagnostics& diag, size_t work_limit)
      : t_(tree), diag_(diag), x_(tree, &tree), work_limit_(work_limit) {
    x_.set_work_limit(&work_, work_limit_);
  }

  void run() {
    ConfForms::set_work_limit(t_, work_limit_);
    t_.root.conf_state |= kMenuConfReady;
    try {
      finalize(&t_.root, false);
    } catch (const ExprTooComplex&) {
      // conf would grind on (or exhaust its stack); we stop at the entry that went over.
      throw KconfigError(too_complex_at(at_ ? at_ : &t_.root));
    }
    if (t_.dialect.new_choice_rules()) link_choice_blocks();
    check_all_dependency_loops();
  }

 private:
  bool new_rules() const { return t_.dialect.new_choice_rules(); }

  // How deep entries may nest under the symbols they depend on, and how long a chain of
  // symbols whose values need each other may be: the walks over them (here, value
  // calculation, writing) recurse, and must stay within the stack. conf has no limit; real
  // trees stay under 100.
  static constexpr size_t kMaxChain = kMaxDependencyChain;

  static std::string too_deep_at(const Menu* m, const std::string& what, const std::string& why) {
    return fmt::format(
        "{}:{}: error: {} deeper than {} levels here ({}); runner-kernel stops "
        "rather than exhaust its stack",
        m->file ? m->file->name : std::string("<unknown>"), m->line, what, kMaxChain, why);
  }

  void set_type(Menu* at, Symbol* sym, SymbolType type) {
    if (sym->type == type) return;
    if (sym->type == SymbolType::Unknown) {
      sym->type = type;
      return;
    }
    diag_.warn_at(at->file, at->line,
                  std::string("ignoring type redefinition of '") +
                      (sym->has_name ? sym->name : "<choice>") + "' from '" +
                      symbol_type_name(sym->type) + "' to '" + symbol_type_name(type) + "'");
  }

  // Before 6.11 a choice takes the type of its first typed member, and untyped members take
  // the choice's type.
  void infer_choice_types(Menu* parent, Symbol* choice) {
    if (choice->type == SymbolType::Unknown) {
      for (Menu* m = parent->list; m; m = m->next) {
        if (m->sym && m->sym->type != SymbolType::Unknown) {
          set_type(parent, choice, m->sym->type);
          break;
        }
      }
    }
    for (Menu* m = parent->list; m; m = m->next)
      if (m->sym && m->sym->type == SymbolType::Unknown) set_type(m, m->sym, choice->type);
  }

  // Every entry inherits the dependencies of the menus, ifs and (before 6.11) choices around
  // it; every property inherits its entry's. Selects and implies become reverse dependencies
  // of their targets. The same, the way conf stores it (simplified at each step), goes to the
  // conf_* fields: recorded here, built by ConfForms when needed.
  void propagate_into_children(Menu* parent, Expr* parentdep, bool from_choice) {
    for (Menu* m = parent->list; m; m = m->next) {
      at_ = m;
      // Expressions are never modified after finalize, so subtrees are shared, not copied.
      Expr* own = rewrite_m(t_, m->dep);
      Expr* basedep = t_.new_and(parentdep, own);
      m->dep = basedep;
      m->conf_dep = own;
      m->conf_parent = parent;
      if (from_choice) m->conf_state |= kMenuConfFromChoice;

      Property* first = m->sym ? m->sym->props : m->prompt;
      for (Property* p = first; p; p = p->next) {
        if (p->menu != m) continue;  // belongs to another definition of the symbol
        Expr* own_vis = rewrite_m(t_, p->visible);
        Expr* dep = t_.new_and(basedep, own_vis);
        p->visible = dep;
        p->conf_visible = own_vis;
        if (p->type == PropType::Select) {
          Symbol* target = p->expr->lsym;
          target->rev_dep = t_.new_or(target->rev_dep, t_.new_and(t_.new_sym_expr(m->sym), dep));
        } else if (p->type == PropType::Imply) {
          Symbol* target = p->expr->lsym;
          target->implied = t_.new_or(target->implied, t_.new_and(t_.new_sym_expr(m->sym), dep));
        }
      }
      ConfForms::record(t_, m, Tree::ConfStep::Entry);
    }
  }

  // Consecutive entries that depend on the symbol right before them become its children
  // (how menuconfig indents them): entries whose (conf-simplified) dependency requires the
  // symbol, or contains it and is a superset of the symbol's own visibility. Only the
  // structure changes, never a value.
  void nest_dependents(Menu* parent, Symbol* sym) {
    // One simplifier per nesting depth (finalize() below comes back here), its scratch
    // storage reused from entry to entry.
    if (nesters_.size() <= nest_depth_) {
      nesters_.emplace_back(t_, nullptr);
      nesters_.back().set_work_limit(&work_, work_limit_);
    }
    ExprSimplifier& x = nesters_[nest_depth_];
    x.reset();
    struct Deeper {
      size_t& depth;
      explicit Deeper(size_t& d) : depth(d) { ++depth; }
      ~Deeper() { --depth; }
    } deeper(nest_depth_);
    at_ = parent;
    if (nest_depth_ > kMaxChain)
      throw KconfigError(too_deep_at(parent, "entries nest", "each depends on the one before it"));
    // The symbol's own visibility, simplified; computed when first needed (most symbols are
    // followed by an entry that does not even mention them).
    Expr* basedep = nullptr;
    bool have_basedep = false;
    Menu* last = nullptr;
    for (Menu* m = parent->next; m; m = m->next) {
      // The conf form names no symbol its unsimplified counterpart does not: most entries are
      // passed over without building it.
      if (!expr_contains_symbol(m->prompt ? m->prompt->visible : m->dep, sym)) break;
      {
        const Menu* at = at_;
        ConfForms::build_entry(x_, m, at_);
        at_ = at;
      }
      const Expr* dep = m->prompt ? m->prompt->conf_visible : m->conf_dep;
      if (!expr_contains_symbol(dep, sym)) break;
      if (!expr_depends_symbol(dep, sym)) {
        if (!have_basedep) {
          const Menu* at = at_;
          ConfForms::build_entry(x_, parent, at_);
          at_ = parent;
          basedep = x.trans_compare(parent->prompt ? parent->prompt->conf_visible : nullptr,
                                    ExprKind::Unequal, t_.sym_no);
          basedep = x.eliminate_dups(x.transform(basedep));
          have_basedep = true;
          at_ = at;
        }
        Expr* d = x.eliminate_dups(x.transform(x.trans_compare(dep, ExprKind::Unequal, t_.sym_no)));
        Expr* d2 = x.copy(basedep);
        x.eliminate_eq(&d, &d2);
        if (!x.is_yes(d2)) break;
      }
      finalize(m, false);
      m->parent = parent;
      last = m;
    }
    if (last) {
      parent->list = parent->next;
      parent->next = last->next;
      last->next = nullptr;
    }
  }

  void adopt_choice_member(Menu* parent, Symbol* choice, Menu* m) {
    Symbol* member = m->sym;
    member->flags |= kSymChoiceValue;
    member->choice_sym = choice;
    if (!m->prompt) diag_.warn_at(m->file, m->line, "choice value must have a prompt");
    for (Property* p = member->props; p; p = p->next) {
      if (p->type == PropType::Default)
        diag_.warn_at(p->file, p->line, "defaults for choice values not supported");
      if (p->menu == m) continue;
      if (p->type == PropType::Prompt && p->menu->parent->sym != choice)
        diag_.warn_at(p->file, p->line, "choice value used outside its choice group");
    }
    // A bool member of a tristate choice is only possible while the choice is y.
    if (choice->type == SymbolType::Tristate && member->type != SymbolType::Tristate) {
      Expr* is_y = t_.new_cmp_expr(ExprKind::Equal, choice, t_.sym_yes);
      m->dep = t_.new_and(is_y, m->dep);
      for (Property* p = member->props; p; p = p->next) {
        if (p->menu != m) continue;
        p->visible = t_.new_and(is_y, p->visible);
      }
      ConfForms::record(t_, m, Tree::ConfStep::ChoiceMember);
    }
    choice->choice_values.push_back(member);
    (void)parent;
  }

  void finalize(Menu* parent, bool inside_choice) {
    Symbol* sym = parent->sym;
    if (parent->list) {
      Expr* parentdep = parent->dep;
      bool from_choice = false;
      if (!new_rules() && sym && sym->is_choice()) {
        infer_choice_types(parent, sym);
        parentdep = t_.new_sym_expr(sym);
        from_choice = true;
      }
      propagate_into_children(parent, parentdep, from_choice);
      bool is_choice = sym && sym->is_choice();
      for (Menu* m = parent->list; m; m = m->next) finalize(m, is_choice);
    } else if (sym && (!new_rules() || !inside_choice)) {
      nest_dependents(parent, sym);
      sym->dir_dep = t_.new_or(sym->dir_dep, parent->dep);
      ConfForms::record(t_, parent, Tree::ConfStep::DirDep);
    }

    for (Menu* m = parent->list; m; m = m->next) {
      if (!new_rules() && sym && sym->is_choice() && m->sym && !m->sym->is_choice_value())
        adopt_choice_member(parent, sym, m);
      // 'if' blocks and promptless symbols do not nest: hoist their children.
      if (m->list && !m->prompt) {
        Menu* last = m->list;
        for (;; last = last->next) {
          last->parent = parent;
          if (!last->next) break;
        }
        last->next = m->next;
        m->next = m->list;
        m->list = nullptr;
      }
    }

    if (sym && !(sym->flags & kSymWarned)) {
      if (sym->type == SymbolType::Unknown)
        diag_.warn_at(parent->file, parent->line, "config symbol defined without type");
      if (!new_rules() && sym->is_choice() && !parent->prompt)
        diag_.warn_at(parent->file, parent->line, "choice must have a prompt");
      check_properties(sym);
      sym->flags |= kSymWarned;
    }

    // A visible non-optional choice cannot be n: model it as a select of 'visibility && m'.
    if (!new_rules() && sym && sym->is_choice() && !sym->is_optional() && parent->prompt) {
      sym->rev_dep =
          t_.new_or(sym->rev_dep, t_.new_and(parent->prompt->visible, t_.new_sym_expr(t_.sym_mod)));
      ConfForms::record(t_, parent, Tree::ConfStep::ChoiceRevDep);
    }
  }

  static bool is_number_like(const Symbol* target, const Symbol* value);

  void check_properties(Symbol* sym) {
    const bool numeric = sym->type == SymbolType::Int || sym->type == SymbolType::Hex;
    for (Property* p = sym->props; p; p = p->next) {
      switch (p->type) {
        case PropType::Default:
          if ((sym->type == SymbolType::String || numeric) && p->expr->kind != ExprKind::Symbol)
            diag_.warn_at(p->file, p->line,
                          "default for config symbol '" + sym->name + "' must be a single symbol");
          if (p->expr->kind != ExprKind::Symbol) break;
          if (numeric && !is_number_like(sym, p->expr->lsym))
            diag_.warn_at(p->file, p->line, "'" + sym->name + "': number is invalid");
          break;
        case PropType::Select:
        case PropType::Imply: {
          const char* use = p->type == PropType::Select ? "select" : "imply";
          Symbol* target = p->expr->lsym;
          if (sym->type != SymbolType::Bool && sym->type != SymbolType::Tristate)
            diag_.warn_at(
                p->file, p->line,
                "config symbol '" + sym->name + "' uses " + use + ", but is not bool or tristate");
          else if (target->type != SymbolType::Unknown && target->type != SymbolType::Bool &&
                   target->type != SymbolType::Tristate)
            diag_.warn_at(p->file, p->line,
                          "'" + target->name + "' has wrong type. '" + use +
                              "' only accept arguments of bool and tristate type");
          break;
        }
        case PropType::Range:
          if (!numeric)
            diag_.warn_at(p->file, p->line, "range is only allowed for int or hex symbols");
          if (!is_number_like(sym, p->expr->lsym) || !is_number_like(sym, p->expr->rsym))
            diag_.warn_at(p->file, p->line, "range is invalid");
          break;
        default:
          break;
      }
    }
  }

  // 6.11+: the parser recorded each choice block's members; give every member its choice.
  void link_choice_blocks() {
    std::vector<Menu*> stack{&t_.root};
    while (!stack.empty()) {
      Menu* m = stack.back();
      stack.pop_back();
      for (Menu* c = m->list; c; c = c->next) stack.push_back(c);
      if (!(m->flags & kMenuChoice) || !m->sym) continue;
      m->sym->choice_values = m->choice_members;
      for (Symbol* member : m->choice_members) {
        member->flags |= kSymChoiceValue;
        member->choice_sym = m->sym;
        member->choice = m;
      }
    }
  }

  // --- dependency loops -------------------------------------------------------------------

  // What a frame of the check stack is looking at (conf's dep_stack expr/prop).
  enum class Edge : uint8_t { None, DirDep, RevDep, Implied, Value };
  struct Frame {
    Symbol* sym;
    const Property* prop = nullptr;
    Edge edge = Edge::None;  // None with a prop: the property's visibility
  };

  // A subexpression walked once without a hit never gives one later: every symbol in it is
  // then checked and off the stack, and a checked symbol is never entered again. It is marked
  // and skipped from then on (dependencies share their menus' conditions, so the same
  // subexpressions are met once per property).
  Symbol* check_expr(Expr* e) {
    if (!e || e->loop_free) return nullptr;
    Symbol* hit = nullptr;
    switch (e->kind) {
      case ExprKind::Or:
      case ExprKind::And:
        hit = check_expr(e->left);
        if (!hit) hit = check_expr(e->right);
        break;
      case ExprKind::Not:
        hit = check_expr(e->left);
        break;
      default:
        return check_leaf(e);
    }
    if (!hit) e->loop_free = true;
    return hit;
  }

  Symbol* check_leaf(const Expr* e) {
    switch (e->kind) {
      case ExprKind::Symbol:
        return check_sym(e->lsym);
      case ExprKind::Equal:
      case ExprKind::Unequal:
      case ExprKind::Less:
      case ExprKind::LessEqual:
      case ExprKind::Greater:
      case ExprKind::GreaterEqual:
        if (Symbol* s = check_sym(e->lsym)) return s;
        return check_sym(e->rsym);
      default:
        return nullptr;
    }
  }

  Symbol* check_sym_edges(Symbol* sym) {
    if (stack_.size() > kMaxChain)
      throw KconfigError(too_deep_at(sym->menus.empty() ? &t_.root : sym->menus.front(),
                                     "a dependency chain reaches",
                                     "each symbol's value needs the next one's"));
    stack_.push_back({sym});
    Symbol* hit = nullptr;
    auto step = [&](Expr* e, Edge edge, const Property* p) {
      stack_.back().edge = edge;
      stack_.back().prop = p;
      hit = check_expr(e);
      return hit != nullptr;
    };
    if (!step(sym->dir_dep, Edge::DirDep, nullptr) && !step(sym->rev_dep, Edge::RevDep, nullptr) &&
        !step(sym->implied, Edge::Implied, nullptr)) {
      for (Property* p = sym->props; p; p = p->next) {
        if (p->type == PropType::Choice || p->type == PropType::Select ||
            p->type == PropType::Imply)
          continue;
        if (step(p->visible, Edge::None, p)) break;
        if (p->type != PropType::Default || sym->is_choice()) continue;
        if (step(p->expr, Edge::Value, p)) break;
      }
    }
    stack_.pop_back();
    return hit;
  }

  Symbol* check_choice(Symbol* choice) {
    stack_.push_back({choice});
    for (Symbol* m : choice->choice_values) mark(m, kChecking | kChecked);
    mark(choice, kChecking | kChecked);
    Symbol* hit = check_sym_edges(choice);
    unmark(choice, kChecking);
    if (!hit) {
      for (Symbol* m : choice->choice_values)
        if ((hit = check_sym_edges(m))) break;
    }
    for (Symbol* m : choice->choice_values) unmark(m, kChecking);
    if (hit && hit->choice_sym == choice) hit = choice;
    stack_.pop_back();
    return hit;
  }

  Symbol* check_sym(Symbol* sym) {
    if (sym->is_const()) return nullptr;
    if (state(sym) & kChecking) {
      report_loop(sym);
      return sym;
    }
    if (state(sym) & kChecked) return nullptr;
    if (sym->choice_sym) {
      stack_.push_back({sym});
      Symbol* hit = check_sym(sym->choice_sym);
      stack_.pop_back();
      return hit;
    }
    if (sym->is_choice()) return check_choice(sym);
    mark(sym, kChecking | kChecked);
    Symbol* hit = check_sym_edges(sym);
    unmark(sym, kChecking);
    return hit;
  }

  static const char* prop_type_name(const Property* p) {
    switch (p ? p->type : PropType::Unknown) {
      case PropType::Prompt:
        return "prompt";
      case PropType::Comment:
        return "comment";
      case PropType::Menu:
        return "menu";
      case PropType::Default:
        return "default";
      case PropType::Choice:
        return "choice";
      case PropType::Select:
        return "select";
      case PropType::Imply:
        return "imply";
      case PropType::Range:
        return "range";
      case PropType::Symbol:
        return "symbol";
      case PropType::Unknown:
        break;
    }
    return "unknown";
  }

  // sym_check_print_recursive: the chain from the first frame of `last` to the top.
  void report_loop(Symbol* last) {
    ++loops_;
    // A loop closing on a choice member is reported on its choice, the member on top.
    bool pushed = false;
    if (last->is_choice_value() && last->choice_sym) {
      stack_.push_back({last});
      pushed = true;
      last = last->choice_sym;
    }
    size_t i = 0;
    while (i < stack_.size() && stack_[i].sym != last) ++i;
    if (i == stack_.size()) {
      diag_.emit("unexpected recursive dependency error");
      if (pushed) stack_.pop_back();
      return;
    }
    auto name = [](const Symbol* s) { return s->has_name ? s->name : std::string("<choice>"); };
    auto loc = [](const SourceFile* f, int line) {
      return (f ? f->name : std::string("<unknown>")) + ":" + std::to_string(line);
    };
    for (size_t j = i; j < stack_.size(); ++j) {
      const Frame& f = stack_[j];
      const Symbol* sym = f.sym;
      const Symbol* next = j + 1 < stack_.size() ? stack_[j + 1].sym : last;
      std::string line;
      if (new_rules()) {
        if (j == i) diag_.emit("error: recursive dependency detected!");
        if (next->is_choice()) {
          const Menu* cm = next->menus.empty() ? nullptr : next->menus.front();
          line = "\tsymbol " + name(sym) + " is part of choice block at " +
                 (cm ? loc(cm->file, cm->line) : std::string("<unknown>:0"));
        } else if (f.edge == Edge::DirDep) {
          line = "\tsymbol " + name(sym) + " depends on " + next->name;
        } else if (f.edge == Edge::RevDep) {
          line = "\tsymbol " + sym->name + " is selected by " + next->name;
        } else if (f.edge == Edge::Implied) {
          line = "\tsymbol " + sym->name + " is implied by " + next->name;
        } else if (f.edge == Edge::Value) {
          line = "\tsymbol " + name(sym) + " " + prop_type_name(f.prop) + " value contains " +
                 next->name;
        } else {
          line = "\tsymbol " + name(sym) + " " + prop_type_name(f.prop) +
                 " is visible depending on " + next->name;
        }
        diag_.emit(line);
        continue;
      }
      // 5.10/6.1: every line starts with a location: the property being checked (or the
      // symbol's first one); for choices and their members, the first property's entry.
      const Property* p = f.prop ? f.prop : sym->props;
      const Menu* menu = nullptr;
      if (sym->is_choice() || sym->is_choice_value()) {
        p = sym->props;
        menu = p ? p->menu : nullptr;
      }
      std::string ploc = p ? loc(p->file, p->line) : std::string("<unknown>:0");
      std::string mloc = menu ? loc(menu->file, menu->line) : ploc;
      if (j == i) diag_.emit(ploc + ":error: recursive dependency detected!");
      if (sym->is_choice())
        line = mloc + ":\tchoice " + name(sym) + " contains symbol " + name(next);
      else if (sym->is_choice_value())
        line = mloc + ":\tsymbol " + name(sym) + " is part of choice " + name(next);
      else if (f.edge == Edge::DirDep)
        line = ploc + ":\tsymbol " + name(sym) + " depends on " + name(next);
      else if (f.edge == Edge::RevDep)
        line = ploc + ":\tsymbol " + name(sym) + " is selected by " + name(next);
      else if (f.edge == Edge::Implied)
        line = ploc + ":\tsymbol " + name(sym) + " is implied by " + name(next);
      else if (f.edge == Edge::Value)
        line = ploc + ":\tsymbol " + name(sym) + " " + prop_type_name(p) + " value contains " +
               name(next);
      else
        line = ploc + ":\tsymbol " + name(sym) + " " + prop_type_name(p) +
               " is visible depending on " + name(next);
      diag_.emit(line);
    }
    diag_.emit("For a resolution refer to Documentation/kbuild/kconfig-language.rst");
    diag_.emit("subsection \"Kconfig recursive dependency limitations\"");
    diag_.emit("");
    if (pushed) stack_.pop_back();
  }

  enum : uint8_t { kChecking = 1, kChecked = 2 };
  uint8_t& state(Symbol* s) {
    if (marks_.size() < t_.symbol_count()) marks_.resize(t_.symbol_count(), 0);
    return marks_[s->id];
  }
  void mark(Symbol* s, uint8_t f) { state(s) |= f; }
  void unmark(Symbol* s, uint8_t f) { state(s) &= static_cast<uint8_t>(~f); }

  // 6.12's choice_check_sanity: member properties conf rejects.
  int check_choice_member(const Menu* m) {
    int errors = 0;
    for (const Property* p = m->sym->props; p; p = p->next) {
      if (p->type == PropType::Default) {
        diag_.emit(loc_of(p) + ": error: defaults for choice values not supported");
        ++errors;
      }
      if (p->menu != m && p->type == PropType::Prompt && p->menu->parent != m->parent) {
        diag_.emit(loc_of(p) + ": error: choice value has a prompt outside its choice group");
        ++errors;
      }
    }
    return errors;
  }

  static std::string loc_of(const Property* p) {
    return (p->file ? p->file->name : std::string("<unknown>")) + ":" + std::to_string(p->line);
  }

  void check_all_dependency_loops() {
    int errors = 0;
    if (new_rules()) {
      // 6.12 checks in menu order, with each choice's members checked for sanity.
      walk_menus_below(&t_.root, [&](Menu* m) {
        if (!m->sym) return;
        if (!m->sym->is_const()) check_sym(m->sym);
        if (m->sym->is_choice())
          walk_menus_below(m, [&](Menu* child) {
            if (child->sym) errors += check_choice_member(child);
          });
      });
    } else {
      for (Symbol* s : t_.symbols_in_hash_order()) {
        if (s->is_const()) continue;
        check_sym(s);
      }
    }
    // conf has printed everything it prints; it just exits.
    if (loops_ || errors) throw KconfigError("");
  }

  Tree& t_;
  Diagnostics& diag_;
  ExprSimplifier x_;  // builds the conf_* forms menu nesting needs, in the tree's arena
  std::deque<ExprSimplifier> nesters_;  // nest_dependents(), by depth (scratch arenas)
  size_t nest_depth_ = 0;
  size_t work_ = 0;  // of every simplifier, against work_limit_
  size_t work_limit_;
  const Menu* at_ = nullptr;  // the entry being finalized, for errors
  std::vector<Frame> stack_;
  std::vector<uint8_t> marks_;
  int loops_ = 0;
};

bool valid_number(SymbolType type, const std::string& s) {
  size_t i = 0;
  if (type == SymbolType::Int) {
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size() || !isdigit(static_cast<unsigned char>(s[i]))) return false;
    if (s[i] == '0' && i + 1 < s.size()) return false;
    for (; i < s.size(); ++i)
      if (!isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  }
  if (type == SymbolType::Hex) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) i = 2;
    if (i >= s.size()) return false;
    for (; i < s.size(); ++i)
      if (!isxdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  }
  return type == SymbolType::String;
}

bool Finalizer::is_number_like(const Symbol* target, const Symbol* value) {
  return value->type == SymbolType::Int || value->type == SymbolType::Hex ||
         (value->type == SymbolType::Unknown && valid_number(target->type, value->name));
}

}  // namespace

void finalize_tree(Tree& tree, Diagnostics& diag, size_t simplify_work) {
  Finalizer(tree, diag, simplify_work).run();
  walk_menus_below(&tree.root, [&](Menu* m) { tree.add_memo(m->dep); });
  // Structural, so found once here rather than by every configuration: following each
  // symbol's menus up the tree is a chain of cache misses per symbol.
  if (tree.dialect.new_choice_rules()) {
    for (Symbol* sym : tree.symbols()) {
      const Menu* entry = nullptr;
      for (const Menu* m : sym->menus)
        if (m->prompt) {
          entry = m;
          break;
        }
      if (!entry) continue;
      Menu* above = entry->parent;
      while (above && !above->sym) above = above->parent;
      if (above && above->sym->is_choice()) sym->prompt_choice = above;
    }
  }
}

}  // namespace rk::kconfig
