#include "variants/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "kconfig/config.hpp"
#include "kconfig/expr.hpp"
#include "kconfig/menu_help.hpp"
#include "kconfig/tree.hpp"
#include "variants/landing.hpp"

namespace rk::variants {

namespace kc = rk::kconfig;

namespace {

using kc::Tristate;

std::string strip_config_prefix(const std::string& name) {
  if (name.rfind("CONFIG_", 0) == 0) return name.substr(7);
  return name;
}

// Values of every symbol an expression reads, computed before printing them.
void calc_operands(kc::Config& c, const kc::Expr* e) {
  std::vector<kc::Symbol*> syms;
  kc::expr_collect_symbols(e, syms);
  for (kc::Symbol* s : syms) c.calc(s);
}

// conf's notation with " [=value]" after each symbol some Kconfig file defines (literals, such
// as numbers, and undefined names stay bare).
ExplainExpr annotate(kc::Config& c, const kc::Expr* e) {
  ExplainExpr out;
  if (!e) return out;
  calc_operands(c, e);
  out.text = kc::expr_to_string(e, [&](const kc::Symbol* s) -> std::string {
    if (s->is_const() || s->menus.empty() || s->type == kc::SymbolType::Unknown) return "";
    return " [=" + c.string_value(s) + "]";
  });
  out.value = c.eval(e);
  return out;
}

// A property's own 'if' condition: finalize stores `entry dependencies && own condition`, so
// the entry's dependencies are peeled off when they are recognisably there.
const kc::Expr* own_condition(const kc::Property* p) {
  const kc::Expr* vis = p->visible;
  const kc::Expr* dep = p->menu ? p->menu->dep : nullptr;
  if (vis == dep) return nullptr;
  if (!dep) return vis;
  if (vis && vis->kind == kc::ExprKind::And && vis->left == dep) return vis->right;
  return vis;
}

ExplainLocation location_of(const kc::SourceFile* file, int line) {
  return {file ? file->name : std::string(), line};
}

// The top-level || operands of an expression, left to right.
void or_terms(const kc::Expr* e, std::vector<const kc::Expr*>& out) {
  if (!e) return;
  if (e->kind == kc::ExprKind::Or) {
    or_terms(e->left, out);
    or_terms(e->right, out);
    return;
  }
  out.push_back(e);
}

std::string quote_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

// The symbol's line in a .config text: its value as written, "n" for "is not set".
bool config_line_value(const std::string& text, const std::string& name, std::string& value) {
  std::string set = "CONFIG_" + name + "=";
  std::string unset = "# CONFIG_" + name + " is not set";
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (line.substr(0, set.size()) == set) {
      value = std::string(line.substr(set.size()));
      return true;
    }
    if (line == unset) {
      value = "n";
      return true;
    }
    pos = end + 1;
  }
  return false;
}

std::vector<ExplainRelation> reverse_relations(kc::Config& c, const kc::Expr* conf_expr,
                                               const kc::Expr* expr) {
  std::vector<ExplainRelation> out;
  std::vector<const kc::Expr*> terms;
  or_terms(conf_expr ? conf_expr : expr, terms);
  for (const kc::Expr* t : terms) {
    ExplainRelation r;
    r.condition = annotate(c, t);
    r.strength = r.condition.value;
    std::vector<kc::Symbol*> syms;
    kc::expr_collect_symbols(t, syms);
    for (kc::Symbol* s : syms) {
      if (s->is_const() || !s->has_name) continue;
      r.symbol = s->name;
      r.value = c.string_value(s);
      break;
    }
    out.push_back(std::move(r));
  }
  return out;
}

const kc::Menu* first_menu(const kc::Symbol* s) {
  for (const kc::Menu* m : s->menus)
    if (m->prompt) return m;
  return s->menus.empty() ? nullptr : s->menus.front();
}

void explain_choice(kc::Config& c, const kc::Symbol* sym, ExplainChoice& out) {
  const kc::Symbol* cs = sym->choice_sym;
  const kc::Menu* menu = sym->choice;
  if (!menu && cs && !cs->menus.empty()) menu = cs->menus.front();
  if (cs && cs->has_name) out.name = cs->name;
  if (menu && menu->prompt) out.prompt = menu->prompt->text;
  if (out.prompt.empty() && cs)
    for (const kc::Property* p = cs->props; p; p = p->next)
      if (p->type == kc::PropType::Prompt) {
        out.prompt = p->text;
        break;
      }
  if (menu) out.location = location_of(menu->file, menu->line);
  std::vector<kc::Symbol*> members;
  if (cs) members = cs->choice_values;
  if (members.empty() && menu) members = menu->choice_members;
  for (kc::Symbol* m : members) {
    c.calc(m);
    std::string v = c.string_value(m);
    if (v == "y" && out.selected.empty()) out.selected = m->name;
    out.members.emplace_back(m->name, v);
  }
}

}  // namespace

bool ExplainResult::found_anywhere() const {
  return std::any_of(variants.begin(), variants.end(), [](const auto& v) { return v.found; });
}

VariantExplanation explain_in_config(kc::Config& c, const std::string& symbol,
                                     const std::string& variant, const std::string& config_text) {
  VariantExplanation ve;
  ve.variant = variant;
  const kc::Tree& tree = c.tree();
  std::string name = strip_config_prefix(symbol);
  kc::Symbol* sym = tree.find(name);
  if (!sym) {
    ve.near_names = near_symbol_names(tree, name);
    return ve;
  }
  ve.found = true;
  tree.ensure_conf_forms();
  c.calc(sym);
  ve.type = kc::symbol_type_name(sym->type);
  ve.user_set = c.has_user_value(sym);
  std::string line_value;
  ve.in_config = config_line_value(config_text, name, line_value);
  if (ve.in_config)
    ve.value = line_value;
  else if (sym->type == kc::SymbolType::String)
    ve.value = quote_string(c.string_value(sym));
  else
    ve.value = c.string_value(sym);
  if (ve.value.empty()) ve.value = "\"\"";

  for (const kc::Menu* m : sym->menus) {
    ve.definitions.push_back(location_of(m->file, m->line));
    if (!m->prompt) continue;
    ExplainPrompt p;
    p.text = m->prompt->text;
    p.condition = annotate(c, own_condition(m->prompt));
    p.visible = c.eval(m->prompt->visible) != Tristate::No;
    p.location = location_of(m->prompt->file ? m->prompt->file : m->file,
                             m->prompt->line ? m->prompt->line : m->line);
    ve.prompts.push_back(std::move(p));
  }
  // One definition: its dependencies as conf prints them under "Depends on" (6.11+ keeps no
  // symbol-level dependencies for choice members). Several: the symbol's, the || of theirs.
  if (sym->menus.size() == 1 || (!sym->dir_dep && !sym->menus.empty())) {
    const kc::Menu* m = sym->menus.front();
    ve.depends_on = annotate(c, m->conf_dep ? m->conf_dep : m->dep);
    if (m->dep) ve.depends_on.value = c.eval(m->dep);
  } else {
    ve.depends_on = annotate(c, sym->conf_dir_dep ? sym->conf_dir_dep : sym->dir_dep);
    if (sym->dir_dep) ve.depends_on.value = c.eval(sym->dir_dep);
  }

  const kc::Property* active_default = nullptr;
  const kc::Property* active_range = nullptr;
  if (sym->type == kc::SymbolType::Int || sym->type == kc::SymbolType::Hex)
    active_range = c.active_range(sym);
  Tristate own = c.tri(sym);
  for (const kc::Property* p = sym->props; p; p = p->next) {
    switch (p->type) {
      case kc::PropType::Select:
      case kc::PropType::Imply: {
        ExplainRelation r;
        kc::Symbol* target = p->expr ? p->expr->lsym : nullptr;
        if (!target) break;
        c.calc(target);
        r.symbol = target->name;
        r.value = c.string_value(target);
        r.condition = annotate(c, own_condition(p));
        r.strength = kc::tri_and(own, c.eval(p->visible));
        (p->type == kc::PropType::Select ? ve.selects : ve.implies).push_back(std::move(r));
        break;
      }
      case kc::PropType::Default: {
        ExplainDefault d;
        d.value = annotate(c, p->expr);
        if (p->expr && p->expr->kind == kc::ExprKind::Symbol &&
            !(sym->type == kc::SymbolType::Bool || sym->type == kc::SymbolType::Tristate)) {
          // int/hex/string defaults: the value is the symbol's or literal's text.
          const kc::Symbol* vs = p->expr->lsym;
          if (vs->is_const() && sym->type == kc::SymbolType::String)
            d.value.text = quote_string(vs->name);
        }
        d.condition = annotate(c, own_condition(p));
        d.location = location_of(p->file, p->line);
        if (!active_default && c.eval(p->visible) != Tristate::No) {
          active_default = p;
          d.active = true;
        }
        ve.defaults.push_back(std::move(d));
        break;
      }
      case kc::PropType::Range: {
        if (!p->expr || !p->expr->lsym || !p->expr->rsym) break;
        ExplainRange r;
        kc::Symbol* lo = p->expr->lsym;
        kc::Symbol* hi = p->expr->rsym;
        c.calc(lo);
        c.calc(hi);
        r.min = lo->name;
        r.max = hi->name;
        r.min_value = lo->is_const() ? lo->name : c.string_value(lo);
        r.max_value = hi->is_const() ? hi->name : c.string_value(hi);
        r.condition = annotate(c, own_condition(p));
        r.active = p == active_range;
        ve.ranges.push_back(std::move(r));
        break;
      }
      default:
        break;
    }
  }
  ve.selected_by = reverse_relations(c, sym->conf_rev_dep, sym->rev_dep);
  ve.implied_by = reverse_relations(c, sym->conf_implied, sym->implied);

  if (sym->choice_sym || sym->choice) {
    ve.in_choice = true;
    explain_choice(c, sym, ve.choice);
  }

  for (const kc::Menu* m : sym->menus)
    if (m->has_help) {
      ve.help = m->help;
      while (!ve.help.empty() && ve.help.back() == '\n') ve.help.pop_back();
      break;
    }
  // Last: conf's help screen evaluates menu visibility, which has side effects on the state.
  if (const kc::Menu* m = first_menu(sym)) ve.conf_help = kc::menu_help(c, m);
  return ve;
}

ExplainResult explain_symbol(Workspace& ws, const std::vector<const Variant*>& variants,
                             const std::string& symbol) {
  ExplainResult result;
  result.symbol = strip_config_prefix(symbol);
  ws.load_trees(variants);
  const Matrix& m = ws.matrix();
  for (const Variant* v : variants) {
    VariantTree& vt = ws.tree(*v);
    kc::Symbol* sym = vt.tree->find(result.symbol);
    if (!sym) {
      VariantExplanation ve;
      ve.variant = v->name;
      ve.near_names = near_symbol_names(*vt.tree, result.symbol);
      result.variants.push_back(std::move(ve));
      continue;
    }
    Evaluation ev = ws.resolve(*v);
    VariantExplanation ve = explain_in_config(*ev.config, result.symbol, v->name, ev.config_text);
    std::string actual = ev.config->string_value(sym);
    for (size_t i : v->fragments) {
      const std::string& path = m.fragments[i].path;
      const FragmentSetting* s = ws.fragment(path).find(result.symbol);
      if (!s) continue;
      ExplainRequest r;
      r.fragment = path;
      r.line = s->line;
      r.requested = s->value;
      r.reason = s->reason;
      std::optional<std::string> want = requested_value(*s);
      r.honored = want && *want == actual;
      ve.requests.push_back(std::move(r));
    }
    if (!ve.requests.empty()) ve.requests.back().effective = true;
    result.variants.push_back(std::move(ve));
  }
  return result;
}

}  // namespace rk::variants
