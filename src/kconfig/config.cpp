#include "kconfig/config.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "kconfig/expr.hpp"

namespace rk::kconfig {

namespace {

constexpr Tristate N = Tristate::No;
constexpr Tristate M = Tristate::Mod;
constexpr Tristate Y = Tristate::Yes;

bool is_bool_or_tristate(SymbolType t) {
  return t == SymbolType::Bool || t == SymbolType::Tristate;
}

const char* tri_name(Tristate t) {
  return t == Y ? "y" : t == M ? "m" : "n";
}

// How a comparison operand is read: as a number when the whole string parses as one (in the
// base its symbol type implies), otherwise as a string.
enum class NumKind { Signed, Unsigned, String };
union NumValue {
  long long s;
  unsigned long long u;
};

NumKind parse_operand(const std::string& str, SymbolType type, NumValue& v) {
  if (type == SymbolType::Bool || type == SymbolType::Tristate) {
    v.s = str == "n" ? 0 : str == "m" ? 1 : str == "y" ? 2 : -1;
    return NumKind::Signed;
  }
  const char* begin = str.c_str();
  char* tail = nullptr;
  errno = 0;
  NumKind kind;
  if (type == SymbolType::Int) {
    v.s = std::strtoll(begin, &tail, 10);
    kind = NumKind::Signed;
  } else if (type == SymbolType::Hex) {
    v.u = std::strtoull(begin, &tail, 16);
    kind = NumKind::Unsigned;
  } else {
    v.s = std::strtoll(begin, &tail, 0);
    kind = NumKind::Signed;
  }
  bool ok = !errno && !*tail && tail > begin && std::isxdigit(static_cast<unsigned char>(tail[-1]));
  return ok ? kind : NumKind::String;
}

}  // namespace

bool string_valid_for(SymbolType type, std::string_view s) {
  size_t i = 0;
  auto at = [&](size_t k) -> char { return k < s.size() ? s[k] : '\0'; };
  switch (type) {
    case SymbolType::String:
      return true;
    case SymbolType::Int: {
      char ch = at(i++);
      if (ch == '-') ch = at(i++);
      if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
      if (ch == '0' && at(i) != '\0') return false;
      while ((ch = at(i++)))
        if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
      return true;
    }
    case SymbolType::Hex: {
      if (at(0) == '0' && (at(1) == 'x' || at(1) == 'X')) i = 2;
      char ch = at(i++);
      do {
        if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
      } while ((ch = at(i++)));
      return true;
    }
    case SymbolType::Bool:
    case SymbolType::Tristate:
      switch (at(0)) {
        case 'y':
        case 'Y':
        case 'm':
        case 'M':
        case 'n':
        case 'N':
          return true;
      }
      return false;
    default:
      return false;
  }
}

Config::Config(const Tree& tree, Diagnostics* diag)
    : tree_(&tree),
      diag_(diag),
      states_(tree.symbol_count()),
      prop_vis_(tree.property_count()),
      memos_(tree.memo_count() + 1) {
  // The tristate constants are born computed.
  auto init_const = [&](const Symbol* s, Tristate t) {
    SymbolState& ss = states_[s->id];
    ss.tri = t;
    ss.val = s->name;
    ss.flags = 0;
    set_valid(ss);
  };
  init_const(tree.sym_yes, Y);
  init_const(tree.sym_mod, M);
  init_const(tree.sym_no, N);
  init_const(tree.sym_empty, N);
  if (tree.dialect.new_choice_rules()) {
    choice_orders_.resize(tree.symbol_count());
    for (Symbol* s : tree.symbols_in_hash_order())
      if (s->is_choice()) choice_orders_[s->id] = s->choice_values;
  }
}

std::vector<Symbol*>& Config::choice_order(const Symbol* choice_sym) {
  return choice_orders_[choice_sym->id];
}

SymbolType Config::effective_type(const Symbol* sym) const {
  SymbolType type = sym->type;
  if (type == SymbolType::Tristate) {
    if (!tree_->dialect.new_choice_rules() && sym->is_choice_value() && st(sym).visible == Y)
      type = SymbolType::Bool;
    else if (modules_val_ == N)
      type = SymbolType::Bool;
  }
  return type;
}

std::string Config::string_value(const Symbol* sym) const {
  if (is_bool_or_tristate(sym->type)) return tri_name(st(sym).tri);
  return st(sym).val;
}

Tristate Config::eval(const Expr* e) {
  if (!e) return Y;
  if (e->kind == ExprKind::Symbol) {
    // Most nodes: a symbol whose value is already known (cheaper than its memo).
    const SymbolState& s = states_[e->lsym_id];
    if (!valid(s)) calc(e->lsym);
    return states_[e->lsym_id].tri;
  }
  if (e->memo) {
    MemoSlot& slot = memos_[e->memo];
    if (slot.generation == memo_generation_) return slot.value;
  }
  Tristate v = eval_uncached(e);
  // (The spine walk stores And/Or values itself; storing again is harmless.)
  if (e->memo) memos_[e->memo] = {memo_generation_, v};
  return v;
}

Tristate Config::eval_uncached(const Expr* e) {
  switch (e->kind) {
    case ExprKind::Symbol:
      calc(e->lsym);
      return st(e->lsym).tri;
    case ExprKind::And:
    case ExprKind::Or: {
      // Dependency chains ('&&' lists, the selects of a symbol, nested menus) are left-deep and
      // as long as the input: walk the left spine with an explicit stack, left to right like
      // conf, down to the first subtree whose value is remembered. (eval re-enters through
      // calc(); each call uses the stack above its base.)
      const size_t base = eval_stack_.size();
      bool known = false;
      Tristate v = N;
      do {
        eval_stack_.push_back(e);
        e = e->left;
        if (e && e->memo && memos_[e->memo].generation == memo_generation_) {
          v = memos_[e->memo].value;
          known = true;
          break;
        }
      } while (e && (e->kind == ExprKind::And || e->kind == ExprKind::Or));
      if (!known) v = eval(e);
      while (eval_stack_.size() > base) {
        const Expr* op = eval_stack_.back();
        eval_stack_.pop_back();
        Tristate r = eval(op->right);
        v = op->kind == ExprKind::And ? tri_and(v, r) : tri_or(v, r);
        if (op->memo) memos_[op->memo] = {memo_generation_, v};
      }
      return v;
    }
    case ExprKind::Not:
      return tri_not(eval(e->left));
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual:
      break;
    default:
      return N;
  }
  calc(e->lsym);
  calc(e->rsym);
  const std::string a = string_value(e->lsym);
  const std::string b = string_value(e->rsym);
  NumKind ka = NumKind::String, kb = NumKind::String;
  NumValue va{}, vb{};
  if (e->lsym->type != SymbolType::String || e->rsym->type != SymbolType::String) {
    ka = parse_operand(a, e->lsym->type, va);
    kb = parse_operand(b, e->rsym->type, vb);
  }
  int res;
  if (ka == NumKind::String || kb == NumKind::String) {
    int c = a.compare(b);
    res = (c > 0) - (c < 0);
  } else if (ka == NumKind::Unsigned || kb == NumKind::Unsigned) {
    res = (va.u > vb.u) - (va.u < vb.u);
  } else {
    res = (va.s > vb.s) - (va.s < vb.s);
  }
  switch (e->kind) {
    case ExprKind::Equal:
      return res ? N : Y;
    case ExprKind::Unequal:
      return res ? Y : N;
    case ExprKind::Less:
      return res < 0 ? Y : N;
    case ExprKind::LessEqual:
      return res <= 0 ? Y : N;
    case ExprKind::Greater:
      return res > 0 ? Y : N;
    case ExprKind::GreaterEqual:
      return res >= 0 ? Y : N;
    default:
      return N;
  }
}

const Property* Config::default_prop(const Symbol* sym) {
  for (const Property* p = sym->props; p; p = p->next) {
    if (p->type != PropType::Default) continue;
    prop_vis_[p->id] = eval(p->visible);
    if (prop_vis_[p->id] != N) return p;
  }
  return nullptr;
}

const Property* Config::range_prop(const Symbol* sym) {
  for (const Property* p = sym->props; p; p = p->next) {
    if (p->type != PropType::Range) continue;
    prop_vis_[p->id] = eval(p->visible);
    if (prop_vis_[p->id] != N) return p;
  }
  return nullptr;
}

long long Config::range_bound(Symbol* bound, int base) {
  calc(bound);
  if (bound->type == SymbolType::Int) base = 10;
  if (bound->type == SymbolType::Hex) base = 16;
  return std::strtoll(st(bound).val.c_str(), nullptr, base);
}

void Config::validate_range(Symbol* sym) {
  int base;
  if (sym->type == SymbolType::Int)
    base = 10;
  else if (sym->type == SymbolType::Hex)
    base = 16;
  else
    return;
  const Property* p = range_prop(sym);
  if (!p) return;
  long long v = std::strtoll(st(sym).val.c_str(), nullptr, base);
  Symbol* bound = p->expr->lsym;
  if (v >= range_bound(bound, base)) {
    bound = p->expr->rsym;
    if (v <= range_bound(bound, base)) return;
  }
  state(sym).val = st(bound).val;
}

void Config::calc_visibility(Symbol* sym) {
  const bool old_choices = !tree_->dialect.new_choice_rules();
  const Symbol* choice = old_choices && sym->is_choice_value() ? sym->choice_sym : nullptr;
  Tristate tri = N;
  for (const Property* p = sym->props; p; p = p->next) {
    // Every property with text counts as a prompt: 'menuconfig' prompts are menu-typed.
    if (p->type != PropType::Prompt && p->type != PropType::Menu && p->type != PropType::Comment)
      continue;
    Tristate v = eval(p->visible);
    // A tristate member visible as m is hidden while its choice is y.
    if (choice && sym->type == SymbolType::Tristate && v == M && st(choice).tri == Y) v = N;
    prop_vis_[p->id] = v;
    tri = tri_or(tri, v);
  }
  if (tri == M && (sym->type != SymbolType::Tristate || modules_val_ == N)) tri = Y;
  SymbolState& s = state(sym);
  s.visible = tri;
  if (sym->is_choice_value()) return;

  auto bounded = [&](const Expr* e, Tristate absent) {
    Tristate v = e ? eval(e) : absent;
    if (v == M && effective_type(sym) == SymbolType::Bool) v = Y;
    return v;
  };
  Tristate dir = bounded(sym->dir_dep, Y);
  state(sym).dir_dep = dir;
  Tristate rev = bounded(sym->rev_dep, N);
  state(sym).rev_dep = rev;
  Tristate imp = bounded(sym->implied, N);
  state(sym).implied = imp;
}

Symbol* Config::choice_default(Symbol* choice) {
  for (const Property* p = choice->props; p; p = p->next) {
    if (p->type != PropType::Default) continue;
    prop_vis_[p->id] = eval(p->visible);
    if (prop_vis_[p->id] == N) continue;
    Symbol* def = p->expr->kind == ExprKind::Symbol ? p->expr->lsym : nullptr;
    if (def && st(def).visible != N) return def;
  }
  if (tree_->dialect.new_choice_rules()) {
    const Menu* block = choice->menus.empty() ? nullptr : choice->menus.front();
    Symbol* first_visible = nullptr;
    if (block) {
      walk_menus_below(block, [&](const Menu* m) {
        if (m->sym && st(m->sym).visible != N) first_visible = m->sym;
        return first_visible != nullptr;
      });
    }
    return first_visible;
  }
  for (Symbol* member : choice->choice_values)
    if (st(member).visible != N) return member;
  return nullptr;
}

Symbol* Config::calc_old_choice(Symbol* choice) {
  uint32_t keep = state(choice).flags;
  for (Symbol* member : choice->choice_values) {
    calc_visibility(member);
    if (st(member).visible != N) keep &= st(member).flags;
  }
  // The choice keeps its user value only while every visible member has one.
  state(choice).flags &= keep | ~kDefUser;
  Symbol* user = st(choice).user_choice;
  if (user && st(user).visible != N) return user;
  Symbol* def = choice_default(choice);
  if (!def) {
    state(choice).tri = N;
    forget_memos();  // the members' dependencies were just evaluated with the choice at y
  }
  return def;
}

void Config::set_all_choice_values(Symbol* choice) {
  for (Symbol* member : choice->choice_values)
    if (!has_user_value(member)) state(member).user_tri = N;
  state(choice).flags |= kDefUser;
  state(choice).flags &= ~(kValid | kNeedSetChoiceValues);
  forget_memos();
}

Symbol* Config::calc_choice_block(const Menu* choice) {
  Symbol* res = nullptr;
  auto& order = choice_order(choice->sym);
  for (Symbol* s : order) {
    calc_visibility(s);
    if (st(s).visible == N) continue;
    if (has_user_value(s) && st(s).user_tri == Y) {
      res = s;
      break;
    }
  }
  if (!res) {
    res = choice_default(choice->sym);
    if (res && has_user_value(res) && st(res).user_tri == N) res = nullptr;
  }
  if (!res) {
    walk_menus_below(choice, [&](const Menu* m) {
      if (res || !m->sym || st(m->sym).visible == N || has_user_value(m->sym)) return;
      res = m->sym;
    });
  }
  if (!res) {
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      if (st(*it).visible == N) continue;
      res = *it;
      break;
    }
  }
  walk_menus_below(choice, [&](const Menu* m) {
    if (!m->sym || st(m->sym).visible == N) return;
    SymbolState& s = state(m->sym);
    s.tri = m->sym == res ? Y : N;
    s.flags |= kWrite;
    set_valid(s);
  });
  forget_memos();  // members computed before in this generation may have changed
  return res;
}

void Config::choice_set_value(const Menu* choice, Symbol* chosen) {
  bool changed = false;
  auto& order = choice_order(choice->sym);
  walk_menus_below(choice, [&](const Menu* m) {
    if (!m->sym || st(m->sym).visible == N) return;
    Tristate v = m->sym == chosen ? Y : N;
    if (st(m->sym).tri != v) changed = true;
    state(m->sym).user_tri = v;
    state(m->sym).flags |= kDefUser;
    // The latest user decision wins ties: move the member to the front.
    for (auto it = order.begin(); it != order.end(); ++it)
      if (*it == m->sym) {
        order.erase(it);
        break;
      }
    order.insert(order.begin(), m->sym);
  });
  if (changed) clear_all_valid();
}

void Config::warn_unmet_dependency(const Symbol* sym) {
  ++unmet_warnings_;
  if (!diag_) return;
  auto annotate = [this](const Symbol* s) -> std::string {
    if (s->type == SymbolType::Unknown) return "";
    return " [=" + string_value(s) + "]";
  };
  // Printed the way conf stores the dependencies (simplified), when the finalizer kept them.
  tree_->ensure_conf_forms();
  const Expr* dir_dep = sym->conf_dir_dep ? sym->conf_dir_dep : sym->dir_dep;
  const Expr* rev_dep = sym->conf_rev_dep ? sym->conf_rev_dep : sym->rev_dep;
  diag_->emit("");
  diag_->emit("WARNING: unmet direct dependencies detected for " + sym->name);
  diag_->emit(std::string("  Depends on [") + (st(sym).dir_dep == M ? 'm' : 'n') +
              "]: " + expr_to_string(dir_dep, annotate));
  for (Tristate level : {Y, M}) {
    bool title = false;
    std::vector<const Expr*> terms;
    std::vector<const Expr*> todo{rev_dep};
    while (!todo.empty()) {
      const Expr* e = todo.back();
      todo.pop_back();
      if (!e) continue;
      if (e->kind == ExprKind::Or) {
        todo.push_back(e->right);
        todo.push_back(e->left);
      } else {
        terms.push_back(e);
      }
    }
    for (const Expr* e : terms) {
      if (eval(e) != level) continue;
      if (!title) {
        diag_->emit(level == Y ? "  Selected by [y]:" : "  Selected by [m]:");
        title = true;
      }
      diag_->emit("  - " + expr_to_string(e, annotate));
    }
  }
}

void Config::calc(Symbol* sym) {
  if (!sym) return;
  SymbolState* s = &state(sym);
  if (valid(*s)) return;
  const bool old_choices = !tree_->dialect.new_choice_rules();

  if (old_choices && sym->is_choice_value() && (s->flags & kNeedSetChoiceValues)) {
    s->flags &= ~kNeedSetChoiceValues;
    calc(sym->choice_sym);
  }
  set_valid(*s);
  const Tristate old_tri = s->tri;

  Tristate new_tri = N;
  std::string new_val;
  switch (sym->type) {
    case SymbolType::Int:
      new_val = old_choices ? "" : "0";
      break;
    case SymbolType::Hex:
      new_val = old_choices ? "" : "0x0";
      break;
    case SymbolType::String:
      break;
    case SymbolType::Bool:
    case SymbolType::Tristate:
      new_val = "n";
      break;
    default:
      s->val = sym->name;
      s->tri = N;
      return;
  }
  s->flags &= ~kWrite;
  calc_visibility(sym);
  s = &state(sym);
  if (s->visible != N) s->flags |= kWrite;
  // A recursive evaluation of this symbol sees the type's neutral value.
  s->tri = new_tri;
  s->val = new_val;
  s->chosen = nullptr;

  switch (effective_type(sym)) {
    case SymbolType::Bool:
    case SymbolType::Tristate: {
      const Menu* block = old_choices ? nullptr : sym->prompt_choice;
      if (old_choices && sym->is_choice_value() && st(sym).visible == Y) {
        new_tri = st(sym->choice_sym).chosen == sym ? Y : N;
      } else if (block) {
        calc_choice_block(block);
        new_tri = st(sym).tri;
      } else {
        bool from_user = false;
        if (st(sym).visible != N && has_user_value(sym)) {
          new_tri = tri_and(st(sym).user_tri, st(sym).visible);
          from_user = true;
        }
        if (!from_user) {
          if (st(sym).rev_dep != N) state(sym).flags |= kWrite;
          if (!sym->is_choice()) {
            if (const Property* p = default_prop(sym)) {
              new_tri = tri_and(eval(p->expr), prop_vis_[p->id]);
              if (new_tri != N) state(sym).flags |= kWrite;
            }
            if (st(sym).implied != N) {
              state(sym).flags |= kWrite;
              new_tri = tri_or(new_tri, st(sym).implied);
              new_tri = tri_and(new_tri, st(sym).dir_dep);
            }
          }
        }
        if (st(sym).dir_dep < st(sym).rev_dep) warn_unmet_dependency(sym);
        new_tri = tri_or(new_tri, st(sym).rev_dep);
      }
      if (new_tri == M && effective_type(sym) == SymbolType::Bool) new_tri = Y;
      break;
    }
    case SymbolType::String:
    case SymbolType::Hex:
    case SymbolType::Int:
      if (st(sym).visible != N && has_user_value(sym)) {
        new_val = st(sym).user_val;
        break;
      }
      if (const Property* p = default_prop(sym)) {
        Symbol* ds = p->expr->kind == ExprKind::Symbol ? p->expr->lsym : nullptr;
        if (ds) {
          state(sym).flags |= kWrite;
          calc(ds);
          new_val = st(ds).val;
        }
      }
      break;
    default:
      break;
  }

  s = &state(sym);
  s->tri = new_tri;
  s->val = std::move(new_val);
  if (old_choices && sym->is_choice() && new_tri == Y) s->chosen = calc_old_choice(sym);
  validate_range(sym);
  s = &state(sym);

  if (sym == tree_->modules && s->tri != old_tri) modules_val_ = s->tri;

  if (old_choices && sym->is_choice()) {
    if (s->flags & kWrite)
      for (Symbol* member : sym->choice_values)
        if (st(member).visible != N) state(member).flags |= kWrite;
    state(sym).flags &= ~kWrite;
  } else if (!old_choices && sym->is_choice()) {
    s->flags &= ~kWrite;
  }
  if (sym->flags & kSymNoWrite) state(sym).flags &= ~kWrite;
  if (old_choices && (state(sym).flags & kNeedSetChoiceValues)) set_all_choice_values(sym);
}

void Config::clear_all_valid() {
  // Every symbol conf hashes becomes invalid: a new epoch. The tristate constants are not
  // hashed and stay as they are.
  forget_memos();
  if (++epoch_ == 0) {  // wrapped: clear the flags themselves once
    for (Symbol* s : tree_->symbols_in_hash_order()) state(s).flags &= ~kValid;
    epoch_ = 1;
  }
  for (const Symbol* s : {tree_->sym_yes, tree_->sym_mod, tree_->sym_no, tree_->sym_empty})
    state(s).epoch = epoch_;
  changed_ = true;
  calc(tree_->modules);
}

bool Config::is_changeable(const Symbol* sym) const {
  // 6.11+ choices have no value of their own to change.
  if (sym->is_choice() && tree_->dialect.new_choice_rules()) return false;
  return st(sym).visible > st(sym).rev_dep;
}

bool Config::tristate_within_range(const Symbol* sym, Tristate v) const {
  SymbolType type = effective_type(sym);
  const SymbolState& s = st(sym);
  if (s.visible == N) return false;
  if (!is_bool_or_tristate(type)) return false;
  if (type == SymbolType::Bool && v == M) return false;
  if (s.visible <= s.rev_dep) return false;
  if (!tree_->dialect.new_choice_rules() && sym->is_choice_value() && s.visible == Y) return v == Y;
  return v >= s.rev_dep && v <= s.visible;
}

bool Config::set_tristate(Symbol* sym, Tristate v) {
  Tristate old = st(sym).tri;
  if (tree_->dialect.new_choice_rules()) {
    if (!tristate_within_range(sym, v)) return false;
    SymbolState& s = state(sym);
    if (!(s.flags & kDefUser) || s.user_tri != v) {
      s.user_tri = v;
      s.flags |= kDefUser;
    }
    if (old != v) clear_all_valid();
    return true;
  }
  if (old != v && !tristate_within_range(sym, v)) return false;
  state(sym).flags |= kDefUser;
  // Choosing a member also settles the choice and every visible member.
  if (sym->is_choice_value() && v == Y) {
    Symbol* cs = sym->choice_sym;
    state(cs).user_choice = sym;
    state(cs).flags |= kDefUser;
    for (Symbol* member : cs->choice_values)
      if (st(member).visible != N) state(member).flags |= kDefUser;
  }
  state(sym).user_tri = v;
  if (old != v) clear_all_valid();
  return true;
}

bool Config::string_within_range(Symbol* sym, std::string_view v) {
  switch (sym->type) {
    case SymbolType::String:
      return true;
    case SymbolType::Int:
    case SymbolType::Hex: {
      if (!string_valid_for(sym->type, v)) return false;
      const Property* p = range_prop(sym);
      if (!p) return true;
      int base = sym->type == SymbolType::Int ? 10 : 16;
      long long val = std::strtoll(std::string(v).c_str(), nullptr, base);
      return val >= range_bound(p->expr->lsym, base) && val <= range_bound(p->expr->rsym, base);
    }
    case SymbolType::Bool:
    case SymbolType::Tristate:
      switch (v.empty() ? '\0' : v[0]) {
        case 'y':
        case 'Y':
          return tristate_within_range(sym, Y);
        case 'm':
        case 'M':
          return tristate_within_range(sym, M);
        case 'n':
        case 'N':
          return tristate_within_range(sym, N);
      }
      return false;
    default:
      return false;
  }
}

bool Config::set_string(Symbol* sym, std::string_view v) {
  if (is_bool_or_tristate(sym->type)) {
    switch (v.empty() ? '\0' : v[0]) {
      case 'y':
      case 'Y':
        return set_tristate(sym, Y);
      case 'm':
      case 'M':
        return set_tristate(sym, M);
      case 'n':
      case 'N':
        return set_tristate(sym, N);
    }
    return false;
  }
  if (!string_within_range(sym, v)) return false;
  SymbolState& s = state(sym);
  const bool had = s.flags & kDefUser;
  s.flags |= kDefUser;
  std::string nv(v);
  if (sym->type == SymbolType::Hex &&
      !(v.size() >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')))
    nv = "0x" + nv;
  else if (had && s.user_val == nv)
    return true;
  s.user_val = std::move(nv);
  clear_all_valid();
  return true;
}

std::string Config::string_default(Symbol* sym) {
  calc_visibility(sym);
  calc(tree_->modules);
  Tristate v = N;
  std::string str;
  if (const Property* p = default_prop(sym)) {
    if (is_bool_or_tristate(sym->type)) {
      v = tri_and(eval(p->expr), prop_vis_[p->id]);
    } else if (p->expr->kind == ExprKind::Symbol) {
      Symbol* ds = p->expr->lsym;
      calc(ds);
      str = st(ds).val;
    }
  }
  v = tri_or(v, st(sym).rev_dep);
  if (v == M && !sym->is_choice_value() && st(tree_->modules).tri == N) v = Y;
  if (sym->type == SymbolType::Bool && v == M) v = Y;
  if (v < st(sym).implied) v = st(sym).implied;
  switch (sym->type) {
    case SymbolType::Bool:
    case SymbolType::Tristate:
      return tri_name(v);
    case SymbolType::Int:
      if (str.empty() && tree_->dialect.new_choice_rules()) return "0";
      return str;
    case SymbolType::Hex:
      if (str.empty() && tree_->dialect.new_choice_rules()) return "0x0";
      return str;
    case SymbolType::String:
      return str;
    default:
      return "";
  }
}

bool Config::menu_visible(const Menu* menu) {
  if (!menu->prompt) return false;
  if (menu->visibility && eval(menu->visibility) == N) return false;
  Symbol* sym = menu->sym;
  Tristate visible;
  if (sym) {
    calc(sym);
    visible = prop_vis_[menu->prompt->id];
  } else {
    visible = prop_vis_[menu->prompt->id] = eval(menu->prompt->visible);
  }
  if (visible != N) return true;
  if (!sym || st(sym).tri == N) return false;
  for (const Menu* child = menu->list; child; child = child->next) {
    if (menu_visible(child)) {
      // Before 6.11 conf marks a symbol with a visible child as user-set; mirrored for
      // identical results.
      if (!tree_->dialect.new_choice_rules()) state(sym).flags |= kDefUser;
      return true;
    }
  }
  return false;
}

bool Config::menu_empty(const Menu* menu) {
  for (const Menu* child = menu->list; child; child = child->next)
    if (menu_visible(child)) return false;
  return true;
}

}  // namespace rk::kconfig
