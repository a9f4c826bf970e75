// Structural helpers on expressions: printing in conf's notation and the dependency queries
// the finalizer and the explainer need. Evaluation lives in Config (it needs values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kconfig/tree.hpp"

namespace rk::kconfig {

// conf's expr_print: minimal parentheses by operator precedence, "<choice>" for nameless
// choices, "y" for an absent expression. `annotate` may append text after each symbol (used
// for " [=value]").
std::string expr_to_string(const Expr* e,
                           const std::function<std::string(const Symbol*)>& annotate = {});

// expr_print's token stream: `fn(sym, text)` for every token, `sym` set for the tokens that name
// a symbol (conf annotates those with their value).
void expr_print_tokens(const Expr* e,
                       const std::function<void(const Symbol* sym, std::string_view text)>& fn);

// expr_gstr_print: appends `e` to `out`, each symbol of known type followed by " [=value]"
// (`value` gives sym_get_string_value). With `max_width`, a token that would make the current
// line longer than that is preceded by "\\\n", like conf's menu help in mconf.
void expr_append_annotated(const Expr* e, std::string& out,
                           const std::function<std::string(const Symbol*)>& value,
                           size_t max_width = 0);

// True when `sym` appears anywhere in `e`.
bool expr_contains_symbol(const Expr* e, const Symbol* sym);
// True when `e` can only be non-n while `sym` is non-n (conf's expr_depends_symbol).
bool expr_depends_symbol(const Expr* e, const Symbol* sym);
// Symbols an expression reads, in order of appearance (duplicates removed).
void expr_collect_symbols(const Expr* e, std::vector<Symbol*>& out);

// 'm' in a dependency means 'm && MODULES', so that it evaluates to n without modules.
Expr* rewrite_m(Tree& tree, Expr* e);

// conf's expression simplifications (expr_transform, expr_eliminate_dups, expr_eliminate_eq,
// expr_trans_compare, expr_eq) with the results conf gets, release by release (6.12 changed how
// duplicates are eliminated). They decide how conf prints dependencies and how it nests menu
// entries; evaluation never needs them.
//
// Every function works on expressions this object owns: inputs are copied first (`copy`) where
// conf copies, and results may be rewritten in place by later calls, exactly like conf's. New
// nodes go to `arena` (so they live as long as the tree), or to a private scratch arena when
// `arena` is null.
// Thrown by ExprSimplifier when its work limit is exhausted.
struct ExprTooComplex {};

class ExprSimplifier {
 public:
  ExprSimplifier(const Tree& tree, Tree* arena);

  Expr* copy(const Expr* e);
  Expr* new_and(Expr* a, Expr* b);  // absent operands are dropped
  Expr* new_or(Expr* a, Expr* b);
  Expr* new_sym(Symbol* s);
  Expr* new_cmp(ExprKind kind, Symbol* l, Symbol* r);

  // rewrite_m on a copy of `e`.
  Expr* rewrite_m_copy(const Expr* e);
  // expr_transform: comparisons with constants of bool symbols, negations pushed inwards.
  Expr* transform(Expr* e);
  // expr_eliminate_dups: joins duplicate and redundant operands of each &&/|| level.
  Expr* eliminate_dups(Expr* e);
  // expr_eliminate_eq: removes the operands *a and *b have in common.
  void eliminate_eq(Expr** a, Expr** b);
  // expr_trans_compare: makes every comparison with `sym` explicit.
  Expr* trans_compare(const Expr* e, ExprKind type, Symbol* sym);
  // expr_eq: equal up to operand order within &&/|| levels (the inputs are not modified).
  bool eq(const Expr* a, const Expr* b);
  // expr_is_yes: absent, or the constant y.
  bool is_yes(const Expr* e) const;

  // For a simplifier without arena: forgets every expression it has built, keeping the
  // storage for the next ones.
  void reset();

  // Bounds the work (nodes allocated, operand pairs compared) of every simplifier sharing
  // `counter`: beyond `limit`, calls throw ExprTooComplex. Unbounded by default.
  // Testing: compare every pair of operands like conf (no indexing of long levels).
  void set_pairwise(bool on) { pairwise_ = on; }
  void set_work_limit(size_t* counter, size_t limit) {
    work_ = counter;
    work_limit_ = limit;
  }

 private:
  Expr* alloc(ExprKind kind);
  Expr* new_binary(ExprKind kind, Expr* a, Expr* b);  // absent operands are dropped
  Expr* eliminate_yn(Expr* e);
  void eliminate_eq_leaves(ExprKind type, Expr** ep1, Expr** ep2);
  Expr* join_or(Expr* e1, Expr* e2);
  Expr* join_and(Expr* e1, Expr* e2);
  void eliminate_dups1(ExprKind type, Expr** ep1, Expr** ep2);
  bool dups_pair(ExprKind type, Expr** p1, Expr** p2, bool nested);
  void level_operands(ExprKind type, Expr** ep, std::vector<Expr**>& out);
  void charge(size_t n) {
    if ((*work_ += n) > work_limit_) throw ExprTooComplex();
  }

  const Tree& tree_;
  Tree* arena_;
  BlockArena<Expr, 1024> scratch_;
  bool single_pass_;  // single_pass_expr_simplifier() of the tree's dialect
  int trans_count_ = 0;
  int temp_depth_ = 0;  // inside eq(): allocations are temporary
  bool pairwise_ = false;
  size_t own_work_ = 0;
  size_t* work_ = &own_work_;
  size_t work_limit_ = SIZE_MAX;
  // Storage reused from call to call.
  std::vector<std::pair<const Expr*, Expr**>> copy_todo_;
  std::vector<Expr**> level_stack_;
  // Two per eliminate_dups1 nesting level (a deque: growing it keeps references valid).
  std::deque<std::vector<Expr**>> level_lists_;
  size_t level_depth_ = 0;
};

}  // namespace rk::kconfig
