#include "kconfig/expr.hpp"

#include <algorithm>

namespace rk::kconfig {

namespace {

// conf decides parentheses by a fixed ladder of operators: relations, =/!=, !, &&, ||, list.
// A subexpression is wrapped when it sits higher on the ladder than its parent.
int ladder_rank(ExprKind k) {
  switch (k) {
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual:
      return 0;
    case ExprKind::Equal:
    case ExprKind::Unequal:
      return 1;
    case ExprKind::Not:
      return 2;
    case ExprKind::And:
      return 3;
    case ExprKind::Or:
      return 4;
    case ExprKind::List:
      return 5;
    default:
      return -1;
  }
}

bool needs_parens(ExprKind outer, ExprKind inner) {
  int ro = ladder_rank(outer), ri = ladder_rank(inner);
  return ro >= 0 && ri >= 1 && ri > ro;
}

void print(const Expr* e, ExprKind outer, std::string& out,
           const std::function<std::string(const Symbol*)>& annotate) {
  if (!e) {
    out += "y";
    return;
  }
  auto sym_name = [&](const Symbol* s) {
    if (!s->has_name) {
      out += "<choice>";
      return;
    }
    out += s->name;
    if (annotate) out += annotate(s);
  };
  bool parens = needs_parens(outer, e->kind);
  if (parens) out += "(";
  switch (e->kind) {
    case ExprKind::Symbol:
      sym_name(e->lsym);
      break;
    case ExprKind::Not:
      out += "!";
      print(e->left, ExprKind::Not, out, annotate);
      break;
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual: {
      static const char* ops[] = {"=", "!=", "<", "<=", ">", ">="};
      sym_name(e->lsym);
      out += ops[static_cast<int>(e->kind) - static_cast<int>(ExprKind::Equal)];
      sym_name(e->rsym);
      break;
    }
    case ExprKind::Or:
      print(e->left, ExprKind::Or, out, annotate);
      out += " || ";
      print(e->right, ExprKind::Or, out, annotate);
      break;
    case ExprKind::And:
      print(e->left, ExprKind::And, out, annotate);
      out += " && ";
      print(e->right, ExprKind::And, out, annotate);
      break;
    case ExprKind::List:
      sym_name(e->rsym);
      if (e->left) {
        out += " ^ ";
        print(e->left, ExprKind::List, out, annotate);
      }
      break;
    case ExprKind::Range:
      out += "[";
      sym_name(e->lsym);
      out += " ";
      sym_name(e->rsym);
      out += "]";
      break;
    case ExprKind::None:
      break;
  }
  if (parens) out += ")";
}

}  // namespace

std::string expr_to_string(const Expr* e, const std::function<std::string(const Symbol*)>& annotate) {
  std::string out;
  print(e, ExprKind::None, out, annotate);
  return out;
}

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

Expr* rewrite_m(Tree& tree, Expr* e) {
  if (!e) return e;
  switch (e->kind) {
    case ExprKind::Not:
      return tree.new_expr(ExprKind::Not, rewrite_m(tree, e->left));
    case ExprKind::And:
    case ExprKind::Or:
      return tree.new_expr(e->kind, rewrite_m(tree, e->left), rewrite_m(tree, e->right));
    case ExprKind::Symbol:
      if (e->lsym == tree.sym_mod) return tree.new_and(e, tree.new_sym_expr(tree.modules));
      return e;
    default:
      return e;
  }
}

}  // namespace rk::kconfig
