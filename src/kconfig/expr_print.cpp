// conf's expr_print: expressions as conf prints them (expr.hpp).
#include "kconfig/expr.hpp"

#include <string>
#include <string_view>

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

void print(const Expr* e, ExprKind outer,
           const std::function<void(const Symbol*, std::string_view)>& fn) {
  if (!e) {
    fn(nullptr, "y");
    return;
  }
  auto sym_name = [&](const Symbol* s) {
    if (!s->has_name)
      fn(nullptr, "<choice>");
    else
      fn(s, s->name);
  };
  bool parens = needs_parens(outer, e->kind);
  if (parens) fn(nullptr, "(");
  switch (e->kind) {
    case ExprKind::Symbol:
      sym_name(e->lsym);
      break;
    case ExprKind::Not:
      fn(nullptr, "!");
      print(e->left, ExprKind::Not, fn);
      break;
    case ExprKind::Equal:
    case ExprKind::Unequal:
    case ExprKind::Less:
    case ExprKind::LessEqual:
    case ExprKind::Greater:
    case ExprKind::GreaterEqual: {
      static const char* ops[] = {"=", "!=", "<", "<=", ">", ">="};
      sym_name(e->lsym);
      fn(nullptr, ops[static_cast<int>(e->kind) - static_cast<int>(ExprKind::Equal)]);
      fn(e->rsym, e->rsym->name);
      break;
    }
    case ExprKind::Or:
      print(e->left, ExprKind::Or, fn);
      fn(nullptr, " || ");
      print(e->right, ExprKind::Or, fn);
      break;
    case ExprKind::And:
      print(e->left, ExprKind::And, fn);
      fn(nullptr, " && ");
      print(e->right, ExprKind::And, fn);
      break;
    case ExprKind::List:
      fn(e->rsym, e->rsym->name);
      if (e->left) {
        fn(nullptr, " ^ ");
        print(e->left, ExprKind::List, fn);
      }
      break;
    case ExprKind::Range:
      fn(nullptr, "[");
      fn(e->lsym, e->lsym->name);
      fn(nullptr, " ");
      fn(e->rsym, e->rsym->name);
      fn(nullptr, "]");
      break;
    case ExprKind::None:
      fn(nullptr, "<unknown type 0>");
      break;
  }
  if (parens) fn(nullptr, ")");
}

}  // namespace

void expr_print_tokens(const Expr* e,
                       const std::function<void(const Symbol*, std::string_view)>& fn) {
  print(e, ExprKind::None, fn);
}

std::string expr_to_string(const Expr* e,
                           const std::function<std::string(const Symbol*)>& annotate) {
  std::string out;
  print(e, ExprKind::None, [&](const Symbol* s, std::string_view text) {
    out += text;
    if (s && annotate) out += annotate(s);
  });
  return out;
}

void expr_append_annotated(const Expr* e, std::string& out,
                           const std::function<std::string(const Symbol*)>& value,
                           size_t max_width) {
  print(e, ExprKind::None, [&](const Symbol* s, std::string_view text) {
    std::string sym_str;
    if (s) sym_str = value(s);
    if (max_width) {
      size_t extra = text.size();
      if (s) extra += 4 + sym_str.size();
      size_t last_cr = out.rfind('\n');
      size_t line_len = last_cr == std::string::npos ? out.size() : out.size() - last_cr;
      if (line_len + extra > max_width) out += "\\\n";
    }
    out += text;
    if (s && s->type != SymbolType::Unknown) {
      out += " [=";
      out += sym_str;
      out += "]";
    }
  });
}

}  // namespace rk::kconfig
