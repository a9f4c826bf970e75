// ExprSimplifier: conf's expression simplifications (expr.hpp).
#include "kconfig/expr.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "kconfig/dialect.hpp"

namespace rk::kconfig {
// --- conf's simplifications --------------------------------------------------------------------
//
// Ported from the behaviour of scripts/kconfig/expr.c. 5.10 and 6.1 rewrite expressions in
// place (their duplicate elimination compares every pair of operands of a level, including an
// operand with a nested level of the other operator, which it deduplicates on the way); 6.12
// builds new nodes and deduplicates bottom-up, comparing the operands of the left side with
// those of the right side only. Both are reproduced on expressions this object owns.

namespace {

bool is_cmp(ExprKind k) {
  switch (k) {
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual:
      return true;
    default:
      return false;
  }
}

}  // namespace

ExprSimplifier::ExprSimplifier(const Tree& tree, Tree* arena)
    : tree_(tree), arena_(arena), single_pass_(single_pass_expr_simplifier(tree.dialect)) {}

void ExprSimplifier::reset() {
  if (!arena_) scratch_.clear();
}

Expr* ExprSimplifier::alloc(ExprKind kind) {
  charge(1);
  if (arena_ && !temp_depth_) return arena_->new_conf_expr(kind);
  Expr& e = scratch_.emplace_back();
  e.kind = kind;
  return &e;
}

// Iterative, so that the depth of an expression never matters.
Expr* ExprSimplifier::copy(const Expr* e) {
  Expr* result = nullptr;
  auto& todo = copy_todo_;  // (copy never runs inside another copy)
  todo.clear();
  todo.emplace_back(e, &result);
  while (!todo.empty()) {
    auto [from, to] = todo.back();
    todo.pop_back();
    if (!from) {
      *to = nullptr;
      continue;
    }
    Expr* c = alloc(from->kind);
    c->set_syms(from->lsym, from->rsym);
    *to = c;
    todo.emplace_back(from->right, &c->right);
    todo.emplace_back(from->left, &c->left);
  }
  return result;
}

Expr* ExprSimplifier::new_sym(Symbol* s) {
  Expr* e = alloc(ExprKind::Symbol);
  e->set_syms(s, nullptr);
  return e;
}

Expr* ExprSimplifier::new_cmp(ExprKind kind, Symbol* l, Symbol* r) {
  Expr* e = alloc(kind);
  e->set_syms(l, r);
  return e;
}

Expr* ExprSimplifier::new_binary(ExprKind kind, Expr* a, Expr* b) {
  if (!a) return b;
  if (!b) return a;
  Expr* e = alloc(kind);
  e->left = a;
  e->right = b;
  return e;
}

Expr* ExprSimplifier::new_and(Expr* a, Expr* b) {
  return new_binary(ExprKind::And, a, b);
}

Expr* ExprSimplifier::new_or(Expr* a, Expr* b) {
  return new_binary(ExprKind::Or, a, b);
}

Expr* ExprSimplifier::rewrite_m_copy(const Expr* e) {
  if (!e) return nullptr;
  switch (e->kind) {
    case ExprKind::Not: {
      Expr* n = alloc(ExprKind::Not);
      n->left = rewrite_m_copy(e->left);
      return n;
    }
    case ExprKind::And:
    case ExprKind::Or: {
      Expr* n = alloc(e->kind);
      n->left = rewrite_m_copy(e->left);
      n->right = rewrite_m_copy(e->right);
      return n;
    }
    case ExprKind::Symbol:
      if (e->lsym == tree_.sym_mod) return new_and(copy(e), new_sym(tree_.modules));
      return copy(e);
    default:
      return copy(e);
  }
}

bool ExprSimplifier::is_yes(const Expr* e) const {
  return !e || (e->kind == ExprKind::Symbol && e->lsym == tree_.sym_yes);
}

// Leaves of the `type` levels of *ep1 and *ep2 that are equal become y (for &&) or n (for ||).
void ExprSimplifier::eliminate_eq_leaves(ExprKind type, Expr** ep1, Expr** ep2) {
  if ((*ep1)->kind == type) {
    eliminate_eq_leaves(type, &(*ep1)->left, ep2);
    eliminate_eq_leaves(type, &(*ep1)->right, ep2);
    return;
  }
  if ((*ep2)->kind == type) {
    eliminate_eq_leaves(type, ep1, &(*ep2)->left);
    eliminate_eq_leaves(type, ep1, &(*ep2)->right);
    return;
  }
  Expr* e1 = *ep1;
  Expr* e2 = *ep2;
  charge(1);
  if (e1->kind == ExprKind::Symbol && e2->kind == ExprKind::Symbol && e1->lsym == e2->lsym &&
      (e1->lsym == tree_.sym_yes || e1->lsym == tree_.sym_no))
    return;
  if (!eq(e1, e2)) return;
  ++trans_count_;
  Symbol* neutral = type == ExprKind::Or ? tree_.sym_no : tree_.sym_yes;
  *ep1 = new_sym(neutral);
  *ep2 = new_sym(neutral);
}

void ExprSimplifier::eliminate_eq(Expr** ep1, Expr** ep2) {
  if (!*ep1 || !*ep2) return;
  ExprKind k1 = (*ep1)->kind;
  if (k1 == ExprKind::Or || k1 == ExprKind::And) eliminate_eq_leaves(k1, ep1, ep2);
  ExprKind k2 = (*ep2)->kind;
  if ((*ep1)->kind != k2 && (k2 == ExprKind::Or || k2 == ExprKind::And))
    eliminate_eq_leaves(k2, ep1, ep2);
  *ep1 = eliminate_yn(*ep1);
  *ep2 = eliminate_yn(*ep2);
}

bool ExprSimplifier::eq(const Expr* e1, const Expr* e2) {
  if (!e1 || !e2) return is_yes(e1) && is_yes(e2);
  if (e1->kind != e2->kind) return false;
  switch (e1->kind) {
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual:
      return e1->lsym == e2->lsym && e1->rsym == e2->rsym;
    case ExprKind::Symbol:
      return e1->lsym == e2->lsym;
    case ExprKind::Not:
      return eq(e1->left, e2->left);
    case ExprKind::And:
    case ExprKind::Or: {
      // Works on copies that are thrown away: with an arena, they go to the scratch arena.
      ++temp_depth_;
      Expr* c1 = copy(e1);
      Expr* c2 = copy(e2);
      int old_count = trans_count_;
      eliminate_eq(&c1, &c2);
      bool res =
          c1->kind == ExprKind::Symbol && c2->kind == ExprKind::Symbol && c1->lsym == c2->lsym;
      trans_count_ = old_count;
      if (--temp_depth_ == 0 && arena_) scratch_.clear();
      return res;
    }
    default:
      return false;
  }
}

// expr && n -> n, expr && y -> expr, expr || n -> expr, expr || y -> y (recursively).
Expr* ExprSimplifier::eliminate_yn(Expr* e) {
  if (!e) return e;
  if (e->kind != ExprKind::And && e->kind != ExprKind::Or) return e;
  e->left = eliminate_yn(e->left);
  e->right = eliminate_yn(e->right);
  Symbol* absorbing = e->kind == ExprKind::And ? tree_.sym_no : tree_.sym_yes;
  Symbol* neutral = e->kind == ExprKind::And ? tree_.sym_yes : tree_.sym_no;
  Expr* l = e->left;
  Expr* r = e->right;
  if (l->kind == ExprKind::Symbol) {
    if (l->lsym == absorbing) return l;
    if (l->lsym == neutral) return r;
  }
  if (r->kind == ExprKind::Symbol) {
    if (r->lsym == absorbing) return r;
    if (r->lsym == neutral) return l;
  }
  return e;
}

// The bool or tristate symbol that both operands of a join test (a symbol, a comparison of it,
// or the negation of either; conf accepts a negated comparison on the left only), or null when
// they test different symbols or anything else.
namespace {
Symbol* joinable_symbol(const Expr* e1, const Expr* e2) {
  auto simple = [](const Expr* e) {
    return e->kind == ExprKind::Equal || e->kind == ExprKind::Unequal ||
           e->kind == ExprKind::Symbol || e->kind == ExprKind::Not;
  };
  if (!simple(e1) || !simple(e2)) return nullptr;
  Symbol* sym1;
  Symbol* sym2;
  if (e1->kind == ExprKind::Not) {
    const Expr* t = e1->left;
    if (t->kind != ExprKind::Equal && t->kind != ExprKind::Unequal && t->kind != ExprKind::Symbol)
      return nullptr;
    sym1 = t->lsym;
  } else {
    sym1 = e1->lsym;
  }
  if (e2->kind == ExprKind::Not) {
    if (e2->left->kind != ExprKind::Symbol) return nullptr;
    sym2 = e2->left->lsym;
  } else {
    sym2 = e2->lsym;
  }
  if (sym1 != sym2) return nullptr;
  if (sym1->type != SymbolType::Bool && sym1->type != SymbolType::Tristate) return nullptr;
  return sym1;
}
}  // namespace

// e1 || e2 -> one expression, or null when they don't combine.
Expr* ExprSimplifier::join_or(Expr* e1, Expr* e2) {
  if (eq(e1, e2)) return copy(e1);
  Symbol* sym1 = joinable_symbol(e1, e2);
  if (!sym1) return nullptr;
  Symbol* y = tree_.sym_yes;
  Symbol* m = tree_.sym_mod;
  Symbol* n = tree_.sym_no;
  if (sym1->type == SymbolType::Tristate && e1->kind == ExprKind::Equal &&
      e2->kind == ExprKind::Equal) {
    auto pair = [&](Symbol* a, Symbol* b) {
      return (e1->rsym == a && e2->rsym == b) || (e1->rsym == b && e2->rsym == a);
    };
    if (pair(y, m)) return new_cmp(ExprKind::Unequal, sym1, n);
    if (pair(y, n)) return new_cmp(ExprKind::Unequal, sym1, m);
    if (pair(m, n)) return new_cmp(ExprKind::Unequal, sym1, y);
  }
  if (sym1->type == SymbolType::Bool) {
    // a || !a -> y
    if ((e1->kind == ExprKind::Not && e1->left->kind == ExprKind::Symbol &&
         e2->kind == ExprKind::Symbol) ||
        (e2->kind == ExprKind::Not && e2->left->kind == ExprKind::Symbol &&
         e1->kind == ExprKind::Symbol))
      return new_sym(y);
  }
  return nullptr;
}

Expr* ExprSimplifier::join_and(Expr* e1, Expr* e2) {
  if (eq(e1, e2)) return copy(e1);
  Symbol* sym1 = joinable_symbol(e1, e2);
  if (!sym1) return nullptr;
  Symbol* y = tree_.sym_yes;
  Symbol* m = tree_.sym_mod;
  Symbol* n = tree_.sym_no;
  auto sym_vs = [&](ExprKind k, Symbol* c) {
    return (e1->kind == ExprKind::Symbol && e2->kind == k && e2->rsym == c) ||
           (e2->kind == ExprKind::Symbol && e1->kind == k && e1->rsym == c);
  };
  // a && a=y -> a=y;  a && a!=n -> a;  a && a!=m -> a=y
  if (sym_vs(ExprKind::Equal, y)) return new_cmp(ExprKind::Equal, sym1, y);
  if (sym_vs(ExprKind::Unequal, n)) return new_sym(sym1);
  if (sym_vs(ExprKind::Unequal, m)) return new_cmp(ExprKind::Equal, sym1, y);
  if (sym1->type == SymbolType::Tristate) {
    if (e1->kind == ExprKind::Equal && e2->kind == ExprKind::Unequal) {
      // a='b' && a!='c' -> 'b'='c' ? n : a='b'
      Symbol* b = e1->rsym;
      if (e2->rsym->is_const() && b->is_const())
        return b != e2->rsym ? new_cmp(ExprKind::Equal, sym1, b) : new_sym(n);
    }
    if (e1->kind == ExprKind::Unequal && e2->kind == ExprKind::Equal) {
      Symbol* b = e2->rsym;
      if (e1->rsym->is_const() && b->is_const())
        return b != e1->rsym ? new_cmp(ExprKind::Equal, sym1, b) : new_sym(n);
    }
    if (e1->kind == ExprKind::Unequal && e2->kind == ExprKind::Unequal) {
      auto pair = [&](Symbol* a, Symbol* b) {
        return (e1->rsym == a && e2->rsym == b) || (e1->rsym == b && e2->rsym == a);
      };
      if (pair(y, n)) return new_cmp(ExprKind::Equal, sym1, m);
      if (pair(y, m)) return new_cmp(ExprKind::Equal, sym1, n);
      if (pair(m, n)) return new_cmp(ExprKind::Equal, sym1, y);
    }
  }
  return nullptr;
}

// The operands of one `type` level below *ep (*ep itself when it is not of that type), left to
// right. Iterative: levels can be as long as the input.
void ExprSimplifier::level_operands(ExprKind type, Expr** ep, std::vector<Expr**>& out) {
  auto& stack = level_stack_;
  stack.clear();
  stack.push_back(ep);
  while (!stack.empty()) {
    Expr** p = stack.back();
    stack.pop_back();
    if ((*p)->kind == type) {
      stack.push_back(&(*p)->right);
      stack.push_back(&(*p)->left);
    } else {
      out.push_back(p);
    }
  }
}

namespace {

// Two operands of a level can only be joined (join_and/join_or) when they test the same symbol
// below their '!'s: the symbol, or null for operands that only an equal operand joins.
const Symbol* join_key(const Expr* e) {
  while (e->kind == ExprKind::Not) e = e->left;
  switch (e->kind) {
    case ExprKind::Symbol:
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual:
    case ExprKind::Range:
      return e->lsym;
    default:
      return nullptr;
  }
}

// Operators and symbols of `e` in prefix order: two expressions with the same shape are
// treated alike by every simplification.
struct ShapeItem {
  ExprKind kind;
  const Symbol* lsym;
  const Symbol* rsym;
  bool operator==(const ShapeItem&) const = default;
};
std::vector<ShapeItem> shape_of(const Expr* e) {
  std::vector<ShapeItem> out;
  std::vector<const Expr*> stack{e};
  while (!stack.empty()) {
    const Expr* x = stack.back();
    stack.pop_back();
    if (!x) {
      out.push_back({ExprKind::None, nullptr, nullptr});
      continue;
    }
    out.push_back({x->kind, x->lsym, x->rsym});
    stack.push_back(x->right);
    stack.push_back(x->left);
  }
  return out;
}

}  // namespace

// One step of conf's expr_eliminate_dups1 on a pair of operands: 5.10/6.1 first deduplicate
// an operand that is a level of the other operator (every time they meet it), then the two
// are joined when they combine: the first becomes the level's neutral constant, the second the
// join.
bool ExprSimplifier::dups_pair(ExprKind type, Expr** p1, Expr** p2, bool nested) {
  if (nested) {
    ExprKind k = (*p1)->kind;
    if (k == ExprKind::Or || k == ExprKind::And) eliminate_dups1(k, p1, p1);
  }
  Expr* tmp = type == ExprKind::Or ? join_or(*p1, *p2) : join_and(*p1, *p2);
  if (!tmp) return false;
  *p1 = new_sym(type == ExprKind::Or ? tree_.sym_no : tree_.sym_yes);
  *p2 = tmp;
  ++trans_count_;
  return true;
}

// conf's expr_eliminate_dups1(type, ep1, ep2): every operand of the `type` level of *ep1 meets
// every operand of the level of *ep2, in order (5.10/6.1 call it with ep1 == ep2, one level
// against itself, skipping an operand met as its own partner). Joins replace operands by
// operands, so the levels keep their shape. Short levels are walked pair by pair like conf;
// long ones only visit the pairs that can join (same join_key) and skip repeated work that
// cannot change the result, so a level of n operands costs about n log n instead of n².
void ExprSimplifier::eliminate_dups1(ExprKind type, Expr** ep1, Expr** ep2) {
  if (type != ExprKind::Or && type != ExprKind::And) return;
  // Operand lists of this call, kept by nesting depth so that their storage is reused.
  if (level_lists_.size() < 2 * (level_depth_ + 1)) level_lists_.resize(2 * (level_depth_ + 1));
  std::vector<Expr**>& a = level_lists_[2 * level_depth_];
  std::vector<Expr**>& b_own = level_lists_[2 * level_depth_ + 1];
  a.clear();
  b_own.clear();
  struct Deeper {
    size_t& depth;
    explicit Deeper(size_t& d) : depth(d) { ++depth; }
    ~Deeper() { --depth; }
  } deeper(level_depth_);
  level_operands(type, ep1, a);
  const bool same = ep1 == ep2;
  if (!same) level_operands(type, ep2, b_own);
  const std::vector<Expr**>& b = same ? a : b_own;
  const bool nested = !single_pass_;
  charge(a.size() + b.size());

  if (pairwise_ || a.size() * b.size() <= 256 || std::min(a.size(), b.size()) <= 4) {
    // Pair by pair; operands with different join keys are passed over (unless 5.10/6.1 must
    // deduplicate the first one at every meeting).
    for (Expr** p1 : a) {
      for (Expr** p2 : b) {
        if (nested && *p1 == *p2) continue;
        bool other_level = nested && ((*p1)->kind == ExprKind::Or || (*p1)->kind == ExprKind::And);
        if (!other_level && join_key(*p1) != join_key(*p2)) continue;
        charge(1);
        dups_pair(type, p1, p2, nested);
      }
    }
    return;
  }

  // Operands of `b` by join_key, and the ones that are the level's neutral constant (y for
  // &&, n for ||): joining that constant with itself changes nothing but the join count.
  Symbol* neutral_sym = type == ExprKind::Or ? tree_.sym_no : tree_.sym_yes;
  auto is_neutral = [&](const Expr* e) {
    return e->kind == ExprKind::Symbol && e->lsym == neutral_sym;
  };
  std::map<const Symbol*, std::set<size_t>> by_key;
  std::set<size_t> neutrals;
  std::vector<const std::set<size_t>*> where(b.size());
  auto index = [&](size_t j) {
    std::set<size_t>& s = is_neutral(*b[j]) ? neutrals : by_key[join_key(*b[j])];
    s.insert(j);
    where[j] = &s;
  };
  auto reindex = [&](size_t j) {
    const_cast<std::set<size_t>*>(where[j])->erase(j);
    index(j);
  };
  for (size_t j = 0; j < b.size(); ++j) index(j);

  for (size_t i = 0; i < a.size(); ++i) {
    Expr** p1 = a[i];
    size_t cursor = 0;  // pairs (i, j < cursor) are done
    bool neutral_done = false;
    // 5.10/6.1, operand of the other operator: deduplicated at every pair it is part of, until
    // that stops changing it (after a pass without joins, or one that reproduces its shape,
    // the remaining passes would repeat it exactly).
    if (nested && ((*p1)->kind == ExprKind::Or || (*p1)->kind == ExprKind::And)) {
      bool joined = false;
      for (; cursor < b.size() && !joined; ++cursor) {
        Expr** p2 = b[cursor];
        if (*p1 == *p2) continue;
        charge(1);
        int before = trans_count_;
        std::vector<ShapeItem> shape = shape_of(*p1);
        charge(shape.size());
        ExprKind k = (*p1)->kind;
        eliminate_dups1(k, p1, p1);
        bool settled = trans_count_ == before || shape == shape_of(*p1);
        joined = dups_pair(type, p1, p2, false);
        if (joined && same) reindex(i);
        if (joined) reindex(cursor);
        if (settled && !joined) {
          // Every later pass is a no-op (or the same pass again): count it once and let the
          // joins below find the remaining partners.
          if (trans_count_ == before) {
            ++cursor;
            break;
          }
          for (size_t j = cursor + 1; j < b.size(); ++j)
            if (*b[j] != *p1) {
              ++trans_count_;
              break;
            }
          ++cursor;
          break;
        }
      }
    }
    for (;;) {
      Expr* e1 = *p1;
      const Symbol* key = join_key(e1);
      if (is_neutral(e1) && !neutral_done) {
        neutral_done = true;
        auto it = neutrals.lower_bound(cursor);
        if (it != neutrals.end() && same && *b[*it] == e1) ++it;
        if (it != neutrals.end()) ++trans_count_;
      }
      // The next partner with the same key; the neutral constant's key is its symbol, so an
      // operand testing that symbol (y=y, ...) also meets the neutral constants.
      size_t j = SIZE_MAX;
      if (auto f = by_key.find(key); f != by_key.end()) {
        auto it = f->second.lower_bound(cursor);
        if (it != f->second.end()) j = *it;
      }
      if (key == neutral_sym && !is_neutral(e1)) {
        auto it = neutrals.lower_bound(cursor);
        if (it != neutrals.end()) j = std::min(j, *it);
      }
      if (j == SIZE_MAX) break;
      cursor = j + 1;
      Expr** p2 = b[j];
      if (nested && *p1 == *p2) continue;
      charge(1);
      if (dups_pair(type, p1, p2, false)) {
        if (same) reindex(i);
        reindex(j);
      }
    }
  }
}

Expr* ExprSimplifier::eliminate_dups(Expr* e) {
  if (!e) return e;
  int old_count = trans_count_;
  if (!single_pass_) {
    for (;;) {
      trans_count_ = 0;
      if (e->kind == ExprKind::Or || e->kind == ExprKind::And) eliminate_dups1(e->kind, &e, &e);
      if (!trans_count_) break;
      e = eliminate_yn(e);
    }
  } else {
    do {
      trans_count_ = 0;
      if (e->kind == ExprKind::Or || e->kind == ExprKind::And) {
        e->left = eliminate_dups(e->left);
        e->right = eliminate_dups(e->right);
        eliminate_dups1(e->kind, &e->left, &e->right);
      }
      e = eliminate_yn(e);
    } while (trans_count_);
  }
  trans_count_ = old_count;
  return e;
}

Expr* ExprSimplifier::transform(Expr* e) {
  if (!e) return nullptr;
  if (!is_cmp(e->kind) && e->kind != ExprKind::Symbol && e->kind != ExprKind::List) {
    e->left = transform(e->left);
    e->right = transform(e->right);
  }
  Symbol* y = tree_.sym_yes;
  Symbol* m = tree_.sym_mod;
  Symbol* n = tree_.sym_no;
  switch (e->kind) {
    case ExprKind::Equal:
    case ExprKind::Unequal: {
      if (e->lsym->type != SymbolType::Bool) break;
      // (conf also prints "boolean symbol X tested for 'm'?" for the m cases)
      bool equal = e->kind == ExprKind::Equal;
      Symbol* s = e->lsym;
      if (e->rsym == m) return new_sym(equal ? n : y);
      if (e->rsym == (equal ? y : n)) return new_sym(s);  // A=y, A!=n -> A
      if (e->rsym == (equal ? n : y)) {                   // A=n, A!=y -> !A
        Expr* r = alloc(ExprKind::Not);
        r->left = new_sym(s);
        return r;
      }
      break;
    }
    case ExprKind::Not: {
      Expr* inner = e->left;
      switch (inner->kind) {
        case ExprKind::Not:  // !!A -> A
          return single_pass_ ? inner->left : transform(inner->left);
        case ExprKind::Equal:
        case ExprKind::Unequal:
          return new_cmp(inner->kind == ExprKind::Equal ? ExprKind::Unequal : ExprKind::Equal,
                         inner->lsym, inner->rsym);
        case ExprKind::LessEqual:
        case ExprKind::GreaterEqual:
          return new_cmp(inner->kind == ExprKind::LessEqual ? ExprKind::Greater : ExprKind::Less,
                         inner->lsym, inner->rsym);
        case ExprKind::Less:
        case ExprKind::Greater:
          return new_cmp(
              inner->kind == ExprKind::Less ? ExprKind::GreaterEqual : ExprKind::LessEqual,
              inner->lsym, inner->rsym);
        case ExprKind::Or:
        case ExprKind::And: {  // De Morgan
          Expr* a = alloc(ExprKind::Not);
          a->left = inner->left;
          Expr* b = alloc(ExprKind::Not);
          b->left = inner->right;
          Expr* r = alloc(inner->kind == ExprKind::Or ? ExprKind::And : ExprKind::Or);
          r->left = a;
          r->right = b;
          return transform(r);
        }
        case ExprKind::Symbol:
          if (inner->lsym == y) return new_sym(n);
          if (inner->lsym == m) return new_sym(m);
          if (inner->lsym == n) return new_sym(y);
          break;
        default:
          break;
      }
      break;
    }
    default:
      break;
  }
  return e;
}

Expr* ExprSimplifier::trans_compare(const Expr* e, ExprKind type, Symbol* sym) {
  if (!e) {
    Expr* r = new_sym(sym);
    if (type == ExprKind::Unequal) {
      Expr* n = alloc(ExprKind::Not);
      n->left = r;
      r = n;
    }
    return r;
  }
  auto negate_if = [&](Expr* r) {
    if (type != ExprKind::Unequal) return r;
    Expr* n = alloc(ExprKind::Not);
    n->left = r;
    return n;
  };
  switch (e->kind) {
    case ExprKind::And:
    case ExprKind::Or: {
      Expr* e1 = trans_compare(e->left, ExprKind::Equal, sym);
      Expr* e2 = trans_compare(e->right, ExprKind::Equal, sym);
      Expr* r = nullptr;
      bool is_and = e->kind == ExprKind::And;
      if (sym == tree_.sym_yes) r = is_and ? new_and(e1, e2) : new_or(e1, e2);
      if (sym == tree_.sym_no) r = is_and ? new_or(e1, e2) : new_and(e1, e2);
      if (!r) return nullptr;  // conf would reuse its input here; never reached by its callers
      return negate_if(r);
    }
    case ExprKind::Not:
      return trans_compare(e->left, type == ExprKind::Equal ? ExprKind::Unequal : ExprKind::Equal,
                           sym);
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual: {
      bool equal = type == ExprKind::Equal;
      if (sym == tree_.sym_mod) return new_sym(equal ? tree_.sym_no : tree_.sym_yes);
      if (sym == (equal ? tree_.sym_yes : tree_.sym_no)) return copy(e);
      if (sym == (equal ? tree_.sym_no : tree_.sym_yes)) {
        Expr* n = alloc(ExprKind::Not);
        n->left = copy(e);
        return n;
      }
      return nullptr;
    }
    case ExprKind::Symbol:
      return new_cmp(type, e->lsym, sym);
    default:
      return nullptr;
  }
}

}  // namespace rk::kconfig
