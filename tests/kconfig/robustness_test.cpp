// Inputs far outside what the kernel trees contain: deep nesting, long dependency chains,
// simplifications that would take unbounded work. The engine must finish with conf's result or
// a clear error, never crash or grind (no timing is asserted: a regression shows as a hang).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "front_end_util.hpp"
#include "kconfig/expr.hpp"
#include "test_util.hpp"

namespace rk::kconfig::testing {
namespace {

const char* const kVersions[] = {"5.10", "6.1", "6.12"};

// The symbol's dependency as conf stores it (built on first use).
const Expr* conf_dep_of(const Tree& tree, const Symbol* sym) {
  tree.ensure_conf_forms();
  return sym->menus.front()->conf_dep;
}

std::string value_line(const std::string& body, const std::string& name) {
  for (const std::string& want : {"CONFIG_" + name + "=", "# CONFIG_" + name + " is not set"}) {
    size_t pos = body.find(want);
    if (pos != std::string::npos) return body.substr(pos, body.find('\n', pos) - pos);
  }
  return "";
}

// `n` nested 'if' blocks around one entry: the entry's dependency is n levels deep.
std::string nested_ifs(int n, bool distinct) {
  std::string k;
  int syms = distinct ? n : 1;
  for (int i = 0; i < syms; ++i)
    k += "config A" + std::to_string(i) + "\n\tbool \"a\"\n\tdefault y\n";
  for (int i = 0; i < n; ++i) k += "if A" + std::to_string(distinct ? i : 0) + "\n";
  k += "config B\n\tbool \"b\"\n\tdefault y\n";
  for (int i = 0; i < n; ++i) k += "endif\n";
  return k;
}

TEST(Robustness, DeeplyNestedIfBlocks) {
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    Fixture f(nested_ifs(4900, false), version);
    auto out = f.run(ConfMode::OldDefconfig);
    EXPECT_EQ(value_line(Fixture::body(out), "B"), "CONFIG_B=y");
    // conf simplifies the 4900 copies of A0 to one.
    const Symbol* b = f.tree->find("B");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(expr_to_string(conf_dep_of(*f.tree, b)), "A0");
  }
}

TEST(Robustness, DeeplyNestedDistinctIfBlocks) {
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    // 6.12's bottom-up deduplication costs n^3 here: a shallower tree for it.
    const int n = std::string(version) == "6.12" ? 300 : 1500;
    Fixture f(nested_ifs(n, true), version);
    std::string body = Fixture::body(f.run(ConfMode::OldDefconfig));
    EXPECT_EQ(value_line(body, "B"), "CONFIG_B=y");
    const Symbol* b = f.tree->find("B");
    std::string dep = expr_to_string(conf_dep_of(*f.tree, b));
    EXPECT_EQ(dep.substr(0, 12), "A0 && A1 && ");
    EXPECT_EQ(dep.substr(dep.rfind(' ')), " A" + std::to_string(n - 1));
  }
}

TEST(Robustness, NestingBeyondConfsParserStackIsAnError) {
  FrontEnd fe(nested_ifs(6000, false));
  fe.finalize = true;
  EXPECT_FALSE(fe.parse("6.12"));
  EXPECT_NE(fe.error.find("memory exhausted"), std::string::npos) << fe.error;
}

// A 10000-deep `if` is one error: where nesting gave up and where the blocks open, not one
// "missing end statement" per block (5000 lines before).
TEST(Robustness, NestingBeyondTheLimitIsOneError) {
  FrontEnd fe(nested_ifs(10000, false));
  fe.finalize = true;
  EXPECT_FALSE(fe.parse("6.12"));
  EXPECT_EQ(std::count(fe.error.begin(), fe.error.end(), '\n'), 1) << fe.error.substr(0, 500);
  EXPECT_NE(fe.error.find("Kconfig:5004: memory exhausted"), std::string::npos) << fe.error;
  EXPECT_NE(fe.error.find("Kconfig:4: missing end statement for this entry and the 5000 blocks"),
            std::string::npos)
      << fe.error;
}

// `n` symbols, each depending on the one before. `order` 0: in order (each entry nests under
// the one before it); 1: reversed (no nesting, but the dependency check walks the chain);
// 2: in order with an unrelated entry between (no nesting; the dependency check walks it).
std::string dependency_chain(int n, int order) {
  std::string k;
  auto entry = [&](int i) {
    k += "config S" + std::to_string(i) + "\n\tbool \"s\"\n\tdefault y\n";
    if (i > 1) k += "\tdepends on S" + std::to_string(i - 1) + "\n";
    if (order == 2) k += "config X" + std::to_string(i) + "\n\tbool \"x\"\n";
  };
  if (order == 1) {
    for (int i = n; i >= 1; --i) entry(i);
  } else {
    for (int i = 1; i <= n; ++i) entry(i);
  }
  return k;
}

// 60000 crashed the parse (stack overflow in nesting, or in the dependency-loop check):
// beyond kMaxDependencyChain it is an error naming the place and the limit.
TEST(Robustness, DependencyChainsBeyondTheLimitAreAnErrorNotACrash) {
  for (int order : {0, 1}) {
    SCOPED_TRACE(order);
    FrontEnd fe(dependency_chain(100000, order));
    fe.finalize = true;
    EXPECT_FALSE(fe.parse("6.12"));
    EXPECT_EQ(fe.error.rfind("Kconfig:", 0), 0u) << fe.error;
    EXPECT_NE(fe.error.find("deeper than 10000 levels"), std::string::npos) << fe.error;
    EXPECT_EQ(fe.error.find('\n'), std::string::npos) << "one line";
  }
}

// Without nesting, whether the dependency check meets the chain end first depends on the
// release's symbol order: either way the chain resolves or is the same clear error.
TEST(Robustness, AnUnnestedChainOf100kSymbolsResolvesOrIsAClearError) {
  const std::string chain = dependency_chain(100000, 2);
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    try {
      Fixture f(chain, version);
      std::string body = Fixture::body(f.run(ConfMode::AllDefconfig));
      EXPECT_EQ(value_line(body, "S100000"), "CONFIG_S100000=y");
    } catch (const KconfigError& e) {
      EXPECT_NE(std::string(e.what()).find("deeper than 10000 levels"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Robustness, LongDependencyChainsWithinTheLimitResolve) {
  for (int order : {0, 1, 2}) {
    SCOPED_TRACE(order);
    Fixture f(dependency_chain(9000, order));
    std::string body = Fixture::body(f.run(ConfMode::AllDefconfig));
    EXPECT_EQ(value_line(body, "S9000"), "CONFIG_S9000=y");
  }
}

// A dependency of `n` terms joined by '&&' (left-deep, `n` levels).
std::string long_chain(int n, const std::string& op, bool repeat) {
  std::string k;
  for (int i = 0; i < n; ++i) k += "config S" + std::to_string(i) + "\n\tbool \"s\"\n\tdefault y\n";
  k += "config OFF\n\tbool \"off\"\n";
  k += "config C\n\tbool \"c\"\n\tdefault y\n\tdepends on ";
  for (int i = 0; i < n; ++i) {
    if (i) k += " " + op + " ";
    k += "S" + std::to_string(repeat ? i % 7 : i);
  }
  k += "\n";
  return k;
}

TEST(Robustness, LongAndChain) {
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    Fixture f(long_chain(9000, "&&", false), version);
    std::string body = Fixture::body(f.run(ConfMode::OldDefconfig));
    EXPECT_EQ(value_line(body, "C"), "CONFIG_C=y");
    // One unset term turns the whole chain off.
    body = Fixture::body(f.run(ConfMode::OldDefconfig, "# CONFIG_S4321 is not set\n"));
    EXPECT_EQ(value_line(body, "S4321"), "# CONFIG_S4321 is not set");
    EXPECT_EQ(value_line(body, "C"), "");  // unmet dependency: not written
    const Symbol* c = f.tree->find("C");
    std::string dep = expr_to_string(conf_dep_of(*f.tree, c));
    EXPECT_EQ(dep.size(), 10u * 2 + 90 * 3 + 900 * 4 + 8000 * 5 + 8999 * 4);
    EXPECT_EQ(dep.substr(0, 14), "S0 && S1 && S2");
  }
}

TEST(Robustness, ExpressionLengthIsBounded) {
  FrontEnd fe(long_chain(60000, "||", true));
  fe.finalize = true;
  EXPECT_FALSE(fe.parse("6.12"));
  EXPECT_EQ(fe.error, "Kconfig:180006: expression too long (more than 50000 operands)");
}

TEST(Robustness, LongChainsWithRepeatedTerms) {
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    Fixture f(
        long_chain(9000, "&&", true) + "config D\n\tbool \"d\"\n\tdefault y\n\tdepends on " +
            [] {
              std::string s;
              for (int i = 0; i < 9000; ++i)
                s += (i ? " || " : "") + std::string("S") + std::to_string(i % 5) +
                     (i % 2 ? "" : "=y");
              return s;
            }() +
            "\n",
        version);
    std::string body = Fixture::body(f.run(ConfMode::OldDefconfig));
    EXPECT_EQ(value_line(body, "C"), "CONFIG_C=y");
    EXPECT_EQ(value_line(body, "D"), "CONFIG_D=y");
    // conf joins the repeated terms: seven distinct ones remain, each where it last occurs.
    const Symbol* c = f.tree->find("C");
    EXPECT_EQ(expr_to_string(conf_dep_of(*f.tree, c)), "S5 && S6 && S0 && S1 && S2 && S3 && S4");
  }
}

TEST(Robustness, ManySelectsOfOneSymbol) {
  std::string k = "config T\n\tbool\n";
  for (int i = 0; i < 20000; ++i)
    k += "config S" + std::to_string(i) + "\n\tbool \"s\"\n\tdefault " + (i == 19999 ? "y" : "n") +
         "\n\tselect T\n";
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    Fixture f(k, version);
    std::string body = Fixture::body(f.run(ConfMode::OldDefconfig));
    EXPECT_EQ(value_line(body, "T"), "CONFIG_T=y");
  }
}

// Work that would take conf minutes (or forever) is cut short with the entry's location. conf's
// simplified dependencies are built when first needed (menu nesting, help, warnings), so that
// is where the limit bites.
TEST(Robustness, SimplificationWorkIsBounded) {
  FrontEnd fe(nested_ifs(1500, true));
  fe.finalize = true;
  ASSERT_TRUE(fe.parse("6.1"));
  EXPECT_NO_THROW(fe.tree->ensure_conf_forms());
  // The same tree with a limit far below what it needs.
  FrontEnd small(nested_ifs(1500, true));
  small.finalize = true;
  small.limits.simplify_work = 100000;
  ASSERT_TRUE(small.parse("6.1")) << small.error;
  for (int attempt = 0; attempt < 2; ++attempt) {  // the error stays
    std::string error;
    try {
      small.tree->ensure_conf_forms();
    } catch (const KconfigError& e) {
      error = e.what();
    }
    EXPECT_NE(error.find("Kconfig:"), std::string::npos) << error;
    EXPECT_NE(error.find(": error: dependencies too complex to simplify"), std::string::npos)
        << error;
  }
}

// Menu nesting builds the simplified forms it needs while parsing: the limit applies there too.
TEST(Robustness, SimplificationWorkIsBoundedWhileNesting) {
  // Every entry depends on the one before it, so nesting needs each one's simplified form.
  std::string k = "config A0\n\tbool \"a\"\n";
  for (int i = 1; i < 400; ++i) {
    k += "config A" + std::to_string(i) + "\n\tbool \"a\"\n\tdepends on A" + std::to_string(i - 1);
    for (int j = 0; j < i; j += 7)
      k += " && (A" + std::to_string(j) + " || A" + std::to_string(i - 1) + ")";
    k += "\n";
  }
  FrontEnd fe(k);
  fe.finalize = true;
  ASSERT_TRUE(fe.parse("6.1")) << fe.error;
  FrontEnd small(k);
  small.finalize = true;
  small.limits.simplify_work = 20000;
  EXPECT_FALSE(small.parse("6.1"));
  EXPECT_NE(small.error.find(": error: dependencies too complex to simplify"), std::string::npos)
      << small.error;
}

// Long levels are deduplicated through an index of their operands; it must give exactly what
// comparing every pair gives (conf's way), on levels full of joinable operands.
TEST(Robustness, IndexedDeduplicationMatchesPairwise) {
  FrontEnd fe(
      "config A\n\tbool \"a\"\nconfig B\n\ttristate \"b\"\nconfig C\n\tbool \"c\"\n"
      "config D\n\ttristate \"d\"\n");
  for (const char* version : kVersions) {
    SCOPED_TRACE(version);
    ASSERT_TRUE(fe.parse(version));
    Tree& t = *fe.tree;
    Symbol* syms[] = {t.find("A"), t.find("B"), t.find("C"), t.find("D"), t.sym_yes, t.sym_no};
    Symbol* consts[] = {t.sym_yes, t.sym_mod, t.sym_no};
    unsigned seed = 12345;
    auto rnd = [&](unsigned n) {
      seed = seed * 1103515245u + 12345u;
      return (seed >> 16) % n;
    };
    for (int round = 0; round < 200; ++round) {
      ExprSimplifier build(t, nullptr);
      // A random expression: long levels of simple operands, some nested levels.
      std::function<Expr*(int)> gen = [&](int depth) -> Expr* {
        unsigned k = rnd(depth > 0 ? 10 : 7);
        Symbol* s = syms[rnd(6)];
        switch (k) {
          case 0:
          case 1:
            return build.new_sym(s);
          case 2:
            return build.new_cmp(ExprKind::Equal, s, consts[rnd(3)]);
          case 3:
            return build.new_cmp(ExprKind::Unequal, s, consts[rnd(3)]);
          case 4:
            return t.new_expr(ExprKind::Not, build.new_cmp(ExprKind::Equal, s, consts[rnd(3)]));
          case 5:
          case 6:
            return t.new_expr(ExprKind::Not, build.new_sym(s));
          default: {
            unsigned len = 2 + rnd(4);
            Expr* e = gen(depth - 1);
            for (unsigned i = 1; i < len; ++i)
              e = k % 2 ? build.new_and(e, gen(depth - 1)) : build.new_or(e, gen(depth - 1));
            return e;
          }
        }
      };
      unsigned len = 20 + rnd(60);
      bool is_and = rnd(2);
      Expr* e = gen(2);
      for (unsigned i = 1; i < len; ++i)
        e = is_and ? build.new_and(e, gen(2)) : build.new_or(e, gen(2));
      ExprSimplifier fast(t, nullptr), slow(t, nullptr);
      slow.set_pairwise(true);
      std::string a = expr_to_string(fast.eliminate_dups(fast.copy(e)));
      std::string b = expr_to_string(slow.eliminate_dups(slow.copy(e)));
      EXPECT_EQ(a, b) << "round " << round << ": " << expr_to_string(e);
    }
  }
}

}  // namespace
}  // namespace rk::kconfig::testing
