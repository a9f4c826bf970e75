#include "variants/landing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "base/text.hpp"
#include "kconfig/expr.hpp"
#include "kconfig/tristate.hpp"
#include "variants/fragment.hpp"

namespace rk::variants {

using kconfig::Config;
using kconfig::Expr;
using kconfig::ExprKind;
using kconfig::Property;
using kconfig::PropType;
using kconfig::Symbol;
using kconfig::SymbolType;
using kconfig::Tristate;

namespace {

const char* tri_text(Tristate t) {
  return t == Tristate::Yes ? "y" : t == Tristate::Mod ? "m" : "n";
}

bool is_tristate_like(SymbolType t) {
  return t == SymbolType::Bool || t == SymbolType::Tristate;
}

std::string unquote(const std::string& raw) {
  FragmentSetting s;
  s.value = raw;
  auto v = requested_value(s);
  return v ? *v : raw;
}

Tristate tri_of(const std::string& v) {
  return v == "y" ? Tristate::Yes : v == "m" ? Tristate::Mod : Tristate::No;
}

std::string current(Config& c, const Symbol* s) {
  // An undefined symbol (only referenced) has no type: Kconfig treats it as n.
  if (s->type == SymbolType::Unknown && s->menus.empty()) return "n";
  c.calc(const_cast<Symbol*>(s));
  if (is_tristate_like(c.effective_type(s))) return tri_text(c.tri(s));
  return c.string_value(s);
}

bool is_literal(const Symbol* s);
std::string current(Config& c, const Symbol* s);

// "A [=y] && (B [=n] || C [=m])": an expression with each symbol's current value.
std::string annotated(Config& c, const Expr* e) {
  return kconfig::expr_to_string(e, [&](const Symbol* s) -> std::string {
    // Literals (y, 16, "text") are symbols too; only defined or referenced names get a value.
    if (s->is_const() || !s->has_name || is_literal(s)) return "";
    return fmt::format(" [={}]", current(c, s));
  });
}

bool is_literal(const Symbol* s) {
  if (!s->menus.empty()) return false;
  const std::string& n = s->name;
  if (n.empty()) return true;
  bool numeric = (n[0] >= '0' && n[0] <= '9') || n[0] == '-';
  return numeric;
}

std::string range_text(Config& c, const Property* r) {
  if (!r || !r->expr) return "?";
  auto bound = [&](const Symbol* s) {
    if (!s) return std::string("?");
    if (is_literal(s) || s->is_const()) return s->name;
    return fmt::format("{} [={}]", s->name, current(c, s));
  };
  return fmt::format("{}..{}", bound(r->expr->lsym), bound(r->expr->rsym));
}

std::string where(const Property* p) {
  if (!p || !p->file) return "";
  return fmt::format(" ({}:{})", p->file->name, p->line);
}

// --- the satisfier ---------------------------------------------------------------------
// Settings (symbol -> value) that make an expression reach a value, chosen from the current
// values: parts that already hold need nothing; of two alternatives the one needing fewer
// changes wins. Only plain symbols and comparisons with constants are solvable.
using Plan = std::map<std::string, std::string>;

class Satisfier {
 public:
  explicit Satisfier(Config& c) : c_(c) {}

  bool at_least(const Expr* e, Tristate target, Plan& plan, int depth = 0) {
    if (!e) return true;
    if (depth > 64) return false;
    if (c_.eval(e) >= target) return true;
    switch (e->kind) {
      case ExprKind::Symbol:
        return assign(e->lsym, target == Tristate::Mod ? "m" : "y", plan);
      case ExprKind::And:
        return at_least(e->left, target, plan, depth + 1) &&
               at_least(e->right, target, plan, depth + 1);
      case ExprKind::Or:
        return best_of([&](Plan& p) { return at_least(e->left, target, p, depth + 1); },
                       [&](Plan& p) { return at_least(e->right, target, p, depth + 1); }, plan);
      case ExprKind::Not:
        return none(e->left, plan, depth + 1);
      case ExprKind::Equal:
        return make_equal(e->lsym, e->rsym, plan);
      case ExprKind::Unequal:
        return make_unequal(e->lsym, e->rsym, plan);
      default:
        return false;
    }
  }

  bool none(const Expr* e, Plan& plan, int depth = 0) {
    if (!e) return false;  // an absent expression is y
    if (depth > 64) return false;
    if (c_.eval(e) == Tristate::No) return true;
    switch (e->kind) {
      case ExprKind::Symbol:
        return assign(e->lsym, "n", plan);
      case ExprKind::And:
        return best_of([&](Plan& p) { return none(e->left, p, depth + 1); },
                       [&](Plan& p) { return none(e->right, p, depth + 1); }, plan);
      case ExprKind::Or:
        return none(e->left, plan, depth + 1) && none(e->right, plan, depth + 1);
      case ExprKind::Not:
        return at_least(e->left, Tristate::Yes, plan, depth + 1);
      case ExprKind::Equal:
        return make_unequal(e->lsym, e->rsym, plan);
      case ExprKind::Unequal:
        return make_equal(e->lsym, e->rsym, plan);
      default:
        return false;
    }
  }

 private:
  template <typename A, typename B>
  bool best_of(A a, B b, Plan& plan) {
    Plan pa = plan, pb = plan;
    bool oka = a(pa), okb = b(pb);
    if (oka && (!okb || pa.size() <= pb.size())) {
      plan = std::move(pa);
      return true;
    }
    if (okb) {
      plan = std::move(pb);
      return true;
    }
    return false;
  }

  bool assign(const Symbol* s, const std::string& value, Plan& plan) {
    if (!s || s->is_const() || !s->has_name || s->is_choice()) return false;
    auto it = plan.find(s->name);
    if (it != plan.end()) return it->second == value;
    plan[s->name] = value;
    return true;
  }

  bool make_equal(const Symbol* a, const Symbol* b, Plan& plan) {
    if (b && b->is_const()) return assign(a, b->name, plan);
    if (a && a->is_const()) return assign(b, a->name, plan);
    return false;
  }

  bool make_unequal(const Symbol* a, const Symbol* b, Plan& plan) {
    const Symbol* var = b && b->is_const() ? a : b;
    const Symbol* k = b && b->is_const() ? b : a;
    if (!var || !k || !k->is_const()) return false;
    if (!is_tristate_like(c_.effective_type(var))) return false;
    return assign(var, k->name == "n" ? "y" : "n", plan);
  }

  Config& c_;
};

// --- explanations ----------------------------------------------------------------------

const Property* first_prompt(const Symbol* s) {
  for (const Property* p = s->props; p; p = p->next)
    if (p->type == PropType::Prompt) return p;
  return nullptr;
}

// The terms of an OR chain (select/imply reverse dependencies are one term per selector).
void or_terms(const Expr* e, std::vector<const Expr*>& out) {
  if (!e) return;
  if (e->kind == ExprKind::Or) {
    or_terms(e->left, out);
    or_terms(e->right, out);
  } else {
    out.push_back(e);
  }
}

void explain_reverse(Config& c, const Expr* rev, const char* verb, std::vector<std::string>& why,
                     bool only_active) {
  std::vector<const Expr*> terms;
  or_terms(rev, terms);
  for (const Expr* t : terms) {
    Tristate v = c.eval(t);
    if (only_active && v == Tristate::No) continue;
    why.push_back(fmt::format("{} {}  (={})", verb, annotated(c, t), tri_text(v)));
  }
}

// Why a tristate/bool symbol is below the requested value, and the settings that would lift
// it. Returns false when no plan can be formed.
bool explain_too_low(Config& c, Symbol* s, Tristate want, std::vector<std::string>& why,
                     Plan& plan) {
  Satisfier sat(c);
  const auto& st = c.st(s);
  const Property* prompt = first_prompt(s);
  if (want == Tristate::Mod && c.modules_value() == Tristate::No) {
    why.push_back(
        "m needs loadable modules, but MODULES [=n]: a tristate asked to be m "
        "becomes y or n without them");
    plan["MODULES"] = "y";
    return true;
  }
  if (s->is_choice_value()) {
    if (const Symbol* choice = s->choice_sym) {
      for (const Symbol* member : choice->choice_values) {
        if (member != s && c.tri(member) == Tristate::Yes) {
          why.push_back(
              fmt::format("it is a member of a choice, and the choice has {} [=y] "
                          "selected",
                          member->name));
          break;
        }
      }
    }
  }
  if (!prompt) {
    why.push_back(
        fmt::format("{} has no prompt: it cannot be set, only selected or defaulted", s->name));
    if (s->rev_dep) {
      explain_reverse(c, s->rev_dep, "selected by", why, false);
      if (sat.at_least(s->rev_dep, want, plan)) return true;
    } else {
      why.push_back("nothing selects it");
    }
    for (const Property* p = s->props; p; p = p->next) {
      if (p->type != PropType::Default) continue;
      why.push_back(fmt::format("default {} if {}{}", annotated(c, p->expr),
                                p->visible ? annotated(c, p->visible) : "y", where(p)));
      Plan attempt = plan;
      if (sat.at_least(p->expr, want, attempt) && sat.at_least(p->visible, want, attempt)) {
        plan = std::move(attempt);
        return true;
      }
    }
    return false;
  }
  if (st.visible < want) {
    for (const Property* p = s->props; p; p = p->next) {
      if (p->type != PropType::Prompt) continue;
      c.tree().ensure_conf_forms();
      const Expr* cond = p->conf_visible ? p->conf_visible : p->visible;
      why.push_back(fmt::format("prompt \"{}\"{} is {} : depends on {}", p->text, where(p),
                                c.prop_visibility(p) == Tristate::No ? "hidden" : "limited",
                                cond ? annotated(c, cond) : "y"));
    }
    Plan attempt = plan;
    for (const Property* p = s->props; p; p = p->next) {
      if (p->type != PropType::Prompt) continue;
      if (sat.at_least(p->visible, want, attempt)) {
        plan = std::move(attempt);
        return true;
      }
      attempt = plan;
    }
    return false;
  }
  if (!c.has_user_value(s)) {
    why.push_back(
        "the requested value was not read (another fragment line or the choice "
        "overrode it)");
    return false;
  }
  why.push_back(fmt::format("value {} is within reach (visible up to {}) but resolved to {}",
                            tri_text(want), tri_text(st.visible), tri_text(c.tri(s))));
  return false;
}

// Why a symbol is above n when n was requested.
bool explain_too_high(Config& c, Symbol* s, std::vector<std::string>& why, Plan& plan) {
  Satisfier sat(c);
  const auto& st = c.st(s);
  bool any = false;
  if (st.rev_dep != Tristate::No && s->rev_dep) {
    explain_reverse(c, s->rev_dep, "selected by", why, true);
    any = sat.none(s->rev_dep, plan);
    if (any) return true;
  }
  if (s->is_choice_value() && c.tri(s) == Tristate::Yes) {
    why.push_back(
        "it is the selected member of a choice: a choice always has one member y; "
        "ask for another member =y instead");
    return false;
  }
  if (st.visible == Tristate::No) {
    why.push_back(
        fmt::format("{} has no visible prompt, so n cannot be asked for: its default "
                    "applies",
                    s->name));
    for (const Property* p = s->props; p; p = p->next) {
      if (p->type != PropType::Default) continue;
      if (c.eval(p->visible) == Tristate::No) continue;
      why.push_back(fmt::format("default {} if {}{}", annotated(c, p->expr),
                                p->visible ? annotated(c, p->visible) : "y", where(p)));
      Plan attempt = plan;
      if ((p->visible && sat.none(p->visible, attempt)) || sat.none(p->expr, attempt)) {
        plan = std::move(attempt);
        return true;
      }
      break;
    }
    const Property* prompt = first_prompt(s);
    if (prompt) {
      Plan attempt = plan;
      if (sat.at_least(prompt->visible, Tristate::Yes, attempt)) {
        plan = std::move(attempt);
        return true;
      }
    }
    return false;
  }
  return any;
}

std::string plan_line(const std::string& sym, const std::string& value) {
  return setting_line(sym, value);
}

}  // namespace

std::optional<std::string> resolved_value(Config& config, const std::string& symbol) {
  Symbol* s = config.tree().find(symbol);
  if (!s) return std::nullopt;
  config.calc(s);
  if (!(config.st(s).flags & kconfig::kWrite)) return std::nullopt;
  if (is_tristate_like(config.effective_type(s))) return std::string(tri_text(config.tri(s)));
  return config.string_value(s);
}

bool lands(Config& config, const std::string& symbol, const std::string& requested) {
  std::optional<std::string> actual = resolved_value(config, symbol);
  std::string want = unquote(requested);
  if (!actual) return want == "n" || (requested.size() >= 2 && want.empty());
  Symbol* s = config.tree().find(symbol);
  if (is_tristate_like(config.effective_type(s))) return *actual == want;
  return *actual == want;
}

std::string shown_value(const std::optional<std::string>& value) {
  return value ? *value : "(absent)";
}

Diagnosis diagnose(Workspace& ws, const Variant& v, const std::string& allconfig, Config& config,
                   const std::string& symbol, const std::string& requested) {
  Diagnosis d;
  Symbol* s = config.tree().find(symbol);
  if (!s) {
    d.why.push_back(fmt::format("CONFIG_{} does not exist in this tree", symbol));
    auto near = near_symbol_names(config.tree(), symbol, 3);
    if (!near.empty()) {
      std::string list;
      for (const auto& n : near) list += (list.empty() ? "" : ", ") + n;
      d.why.push_back("similar names here: " + list);
    }
    d.fix_note = "no fix: the symbol is unknown in this branch (renamed or removed?)";
    return d;
  }
  std::string want = unquote(requested);
  SymbolType type = config.effective_type(s);
  Plan plan;
  bool planned = false;
  if (is_tristate_like(type)) {
    if (want != "y" && want != "m" && want != "n") {
      d.why.push_back(fmt::format("{} is a {}: the value must be {}", symbol,
                                  type == SymbolType::Bool ? "bool" : "tristate",
                                  type == SymbolType::Bool ? "y or n" : "y, m or n"));
      d.fix_note = "no fix: change the requested value";
      return d;
    }
    if (type == SymbolType::Bool && want == "m") {
      d.why.push_back(fmt::format("{} is a bool: m is not a value it can take", symbol));
      d.fix = {plan_line(symbol, "y")};
      d.fix_note = "ask for y instead";
      return d;
    }
    Tristate target = tri_of(want);
    if (config.tri(s) < target)
      planned = explain_too_low(config, s, target, d.why, plan);
    else
      planned = explain_too_high(config, s, d.why, plan);
  } else {
    if (!kconfig::string_valid_for(type, want)) {
      d.why.push_back(fmt::format("'{}' is not a valid {} value", want,
                                  type == SymbolType::Int   ? "int"
                                  : type == SymbolType::Hex ? "hex"
                                                            : "string"));
      d.fix_note = "no fix: change the requested value";
      return d;
    }
    if (config.st(s).visible == Tristate::No) {
      planned = explain_too_low(config, s, Tristate::Yes, d.why, plan);
    } else if (!config.string_within_range(s, want)) {
      const Property* r = config.active_range(s);
      d.why.push_back(fmt::format("{} is outside {}'s range {}{}: the value is clamped", want,
                                  symbol, range_text(config, r), where(r)));
      d.fix_note = "no fix: ask for a value inside the range";
      return d;
    } else {
      d.why.push_back(fmt::format("resolved to {}", shown_value(resolved_value(config, symbol))));
    }
  }
  plan.erase(symbol);
  if (!planned || plan.empty()) {
    if (d.fix_note.empty())
      d.fix_note =
          "no fix found from the dependencies (they involve comparisons, choices or "
          "symbols that cannot be set)";
    return d;
  }

  // Verify by re-resolving; a fix value that does not land itself gets its own plan added.
  std::map<std::string, std::string> extra = plan;
  for (int round = 0; round < 6; ++round) {
    std::string text = allconfig;
    for (const auto& [sym, val] : extra)
      text += fragment_config_text(parse_fragment(plan_line(sym, val) + "\n", "fix"));
    Evaluation ev = ws.evaluate(v, text);
    bool target_ok = lands(*ev.config, symbol, requested);
    std::vector<std::string> failing;
    for (const auto& [sym, val] : extra)
      if (!lands(*ev.config, sym, val)) failing.push_back(sym);
    if (target_ok && failing.empty()) {
      d.fix_verified = true;
      for (const auto& [sym, val] : extra) d.fix.push_back(plan_line(sym, val));
      d.fix_note = fmt::format("verified: with {} re-resolved, CONFIG_{}={} lands",
                               extra.size() == 1 ? "this line" : "these lines", symbol, requested);
      return d;
    }
    size_t before = extra.size();
    for (const auto& sym : failing) {
      Symbol* fs = ev.config->tree().find(sym);
      if (!fs) continue;
      std::vector<std::string> ignored;
      Plan more;
      const std::string& val = extra[sym];
      if (is_tristate_like(ev.config->effective_type(fs))) {
        if (ev.config->tri(fs) < tri_of(val))
          explain_too_low(*ev.config, fs, tri_of(val), ignored, more);
        else
          explain_too_high(*ev.config, fs, ignored, more);
      }
      for (const auto& [k, val2] : more) extra.emplace(k, val2);
    }
    if (!target_ok && failing.empty()) {
      // The plan's values landed but the target still did not: look again from here.
      std::vector<std::string> ignored;
      Plan more;
      Tristate t = tri_of(unquote(requested));
      if (is_tristate_like(type)) {
        if (ev.config->tri(s) < t)
          explain_too_low(*ev.config, s, t, ignored, more);
        else
          explain_too_high(*ev.config, s, ignored, more);
      }
      more.erase(symbol);
      for (const auto& [k, val2] : more) extra.emplace(k, val2);
    }
    if (extra.size() == before) break;
  }
  for (const auto& [sym, val] : extra) d.fix.push_back(plan_line(sym, val));
  d.fix_note =
      "unverified: re-resolving with these lines still does not land it; the "
      "dependencies need a choice or a value the tool cannot pick";
  return d;
}

std::vector<std::string> near_symbol_names(const kconfig::Tree& tree, const std::string& name,
                                           size_t max_results) {
  const std::string as_given = name.rfind("CONFIG_", 0) == 0 ? name.substr(7) : name;
  std::string query = as_given;
  for (char& ch : query) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // The name itself is left out, but not its other spelling: "log_buf_shift" suggests
  // LOG_BUF_SHIFT.
  std::vector<std::string_view> names;
  names.reserve(tree.symbols().size());
  for (const Symbol* s : tree.symbols())
    if (s->has_name && s->name != as_given) names.push_back(s->name);
  return base::near_names(query, names, max_results);
}

}  // namespace rk::variants
