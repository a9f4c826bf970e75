// The dependency queries on expressions and the 'm' rewrite (expr.hpp); printing is in
// expr_print.cpp, conf's simplifications in expr_simplify.cpp.
#include "kconfig/expr.hpp"

#include <algorithm>
#include <vector>

namespace rk::kconfig {

bool expr_contains_symbol(const Expr* e, const Symbol* sym) {
  if (!e) return false;
  switch (e->kind) {
    case ExprKind::And:
    case ExprKind::Or:
      return expr_contains_symbol(e->left, sym) || expr_contains_symbol(e->right, sym);
    case ExprKind::Not:
      return expr_contains_symbol(e->left, sym);
    case ExprKind::Symbol:
      return e->lsym == sym;
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual:
      return e->lsym == sym || e->rsym == sym;
    default:
      return false;
  }
}

bool expr_depends_symbol(const Expr* e, const Symbol* sym) {
  if (!e) return false;
  switch (e->kind) {
    case ExprKind::And:
      return expr_depends_symbol(e->left, sym) || expr_depends_symbol(e->right, sym);
    case ExprKind::Symbol:
      return e->lsym == sym;
    case ExprKind::Equal:
      return e->lsym == sym && e->rsym && e->rsym->is_const() && e->rsym->name.size() == 1 &&
             (e->rsym->name[0] == 'y' || e->rsym->name[0] == 'm');
    case ExprKind::Unequal:
      return e->lsym == sym && e->rsym && e->rsym->is_const() && e->rsym->name == "n";
    default:
      return false;
  }
}

void expr_collect_symbols(const Expr* e, std::vector<Symbol*>& out) {
  if (!e) return;
  auto add = [&](Symbol* s) {
    if (s && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  switch (e->kind) {
    case ExprKind::And:
    case ExprKind::Or:
      expr_collect_symbols(e->left, out);
      expr_collect_symbols(e->right, out);
      break;
    case ExprKind::Not:
      expr_collect_symbols(e->left, out);
      break;
    case ExprKind::Symbol:
      add(e->lsym);
      break;
    case ExprKind::List:
      add(e->rsym);
      expr_collect_symbols(e->left, out);
      break;
    default:
      add(e->lsym);
      add(e->rsym);
      break;
  }
}

// Expressions are never modified once built, so parts without 'm' are shared, not copied.
Expr* rewrite_m(Tree& tree, Expr* e) {
  if (!e) return e;
  switch (e->kind) {
    case ExprKind::Not: {
      Expr* l = rewrite_m(tree, e->left);
      return l == e->left ? e : tree.new_expr(ExprKind::Not, l);
    }
    case ExprKind::And:
    case ExprKind::Or: {
      Expr* l = rewrite_m(tree, e->left);
      Expr* r = rewrite_m(tree, e->right);
      return l == e->left && r == e->right ? e : tree.new_expr(e->kind, l, r);
    }
    case ExprKind::Symbol:
      if (e->lsym == tree.sym_mod) return tree.new_and(e, tree.new_sym_expr(tree.modules));
      return e;
    default:
      return e;
  }
}

}  // namespace rk::kconfig
