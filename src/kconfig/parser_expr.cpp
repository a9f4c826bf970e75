// The parser's expressions and symbol references.
#include "kconfig/parser.hpp"

namespace rk::kconfig {

// ---------------------------------------------------------------------------------------------
// Expressions: '||' binds loosest, then '&&'; '!' applies to the operand right after it;
// comparisons only join two symbols.

Expr* Parser::if_expr() {
  if (!at(Tok::If)) return nullptr;
  take();
  return expr();
}

// Iterative (operator stacks instead of recursion), so that deeply parenthesized input can't
// exhaust the machine stack; it builds the same trees bison does: left-associative '&&' and
// '||', '!' bound to the operand that follows it.
Expr* Parser::expr() {
  std::vector<Tok>& ops = expr_ops_;  // Not, OpenParen, And, Or
  std::vector<Expr*>& operands = expr_operands_;
  ops.clear();
  operands.clear();
  size_t open_parens = 0;
  size_t count = 0;  // operands so far
  auto reduce = [&] {
    Tok op = ops.back();
    ops.pop_back();
    if (op == Tok::Not) {
      operands.back() = tree_.new_expr(ExprKind::Not, operands.back());
      return;
    }
    Expr* right = operands.back();
    operands.pop_back();
    operands.back() =
        tree_.new_expr(op == Tok::And ? ExprKind::And : ExprKind::Or, operands.back(), right);
  };
  // A complete operand takes every '!' written right before it.
  auto operand_complete = [&] {
    while (!ops.empty() && ops.back() == Tok::Not) reduce();
  };

  for (;;) {
    if (static_cast<size_t>(nesting_) + ops.size() > static_cast<size_t>(kMaxDepth))
      memory_exhausted();
    if (at(Tok::Not) || at(Tok::OpenParen)) {
      if (at(Tok::OpenParen)) ++open_parens;
      ops.push_back(take().kind);
      continue;
    }
    if (++count > kMaxOperands)
      throw KconfigError(here() + ": expression too long (more than " +
                         std::to_string(kMaxOperands) + " operands)");
    operands.push_back(comparison());
    operand_complete();
    for (;;) {
      Tok next = peek().kind;
      if (next == Tok::CloseParen && open_parens > 0) {
        take();
        while (ops.back() != Tok::OpenParen) reduce();
        ops.pop_back();
        --open_parens;
        operand_complete();
        continue;
      }
      if (next == Tok::And || next == Tok::Or) {
        while (!ops.empty() &&
               (ops.back() == Tok::And || (next == Tok::Or && ops.back() == Tok::Or)))
          reduce();
        ops.push_back(take().kind);
        break;
      }
      if (open_parens > 0) syntax_error();  // a ')' was expected here
      while (!ops.empty()) reduce();
      return operands.back();
    }
  }
}

// SYMBOL, or SYMBOL OP SYMBOL with OP one of = != < <= > >=.
Expr* Parser::comparison() {
  Symbol* left = symbol();
  ExprKind cmp;
  switch (peek().kind) {
    case Tok::Equal:
      cmp = ExprKind::Equal;
      break;
    case Tok::Unequal:
      cmp = ExprKind::Unequal;
      break;
    case Tok::Less:
      cmp = ExprKind::Less;
      break;
    case Tok::LessEqual:
      cmp = ExprKind::LessEqual;
      break;
    case Tok::Greater:
      cmp = ExprKind::Greater;
      break;
    case Tok::GreaterEqual:
      cmp = ExprKind::GreaterEqual;
      break;
    default:
      return tree_.new_sym_expr(left);
  }
  take();
  Symbol* right = symbol();
  return tree_.new_cmp_expr(cmp, left, right);
}

// A bare word names a config symbol; a quoted string is a constant.
Symbol* Parser::symbol() {
  if (at(Tok::Word)) return tree_.lookup(take().text, 0);
  if (at(Tok::WordQuote)) return tree_.lookup(take().text, kSymConst);
  syntax_error();
}

}  // namespace rk::kconfig
