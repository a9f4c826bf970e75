// Structural helpers on expressions: printing in conf's notation and the dependency queries
// the finalizer and the explainer need. Evaluation lives in Config (it needs values).
#pragma once

#include <functional>
#include <string>

#include "kconfig/tree.hpp"

namespace rk::kconfig {

// conf's expr_print: minimal parentheses by operator precedence, "<choice>" for nameless
// choices, "y" for an absent expression. `annotate` may append text after each symbol (used
// for " [=value]").
std::string expr_to_string(const Expr* e,
                           const std::function<std::string(const Symbol*)>& annotate = {});

// True when `sym` appears anywhere in `e`.
bool expr_contains_symbol(const Expr* e, const Symbol* sym);
// True when `e` can only be non-n while `sym` is non-n (conf's expr_depends_symbol).
bool expr_depends_symbol(const Expr* e, const Symbol* sym);
// Symbols an expression reads, in order of appearance (duplicates removed).
void expr_collect_symbols(const Expr* e, std::vector<Symbol*>& out);

// 'm' in a dependency means 'm && MODULES', so that it evaluates to n without modules.
Expr* rewrite_m(Tree& tree, Expr* e);

}  // namespace rk::kconfig
