#include "variants/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

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

// ---- text rendering ----------------------------------------------------------------------

namespace {

struct Row {
  std::string label;
  std::vector<std::string> cells;  // one per variant; may hold several lines
  bool facts = true;  // a fact about the symbol: variants without it have an empty cell
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string tri_text(Tristate t) {
  return std::string(1, kc::tri_char(t));
}

std::string cond_suffix(const ExplainExpr& e) {
  return e.empty() ? std::string() : " if " + e.text;
}

std::string short_branch(const std::string& variant) {
  size_t dash = variant.find('-');
  return dash == std::string::npos ? variant : variant.substr(0, dash);
}

// Greedy word wrap at spaces (long words are split); with `hang`, continuation lines of a
// wrapped line are indented by two spaces.
std::vector<std::string> wrap(const std::string& text, size_t width, bool hang = true) {
  width = std::max<size_t>(width, 8);
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    std::string rest = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::string prefix;
    while (true) {
      size_t avail = width - prefix.size();
      if (rest.size() <= avail) {
        out.push_back(prefix + rest);
        break;
      }
      size_t cut = rest.rfind(' ', avail);
      if (cut == std::string::npos || cut == 0) cut = avail;
      std::string head = rest.substr(0, cut);
      while (!head.empty() && head.back() == ' ') head.pop_back();
      out.push_back(prefix + head);
      size_t next = cut;
      while (next < rest.size() && rest[next] == ' ') ++next;
      rest = rest.substr(next);
      if (rest.empty()) break;
      if (hang) prefix = "  ";
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::string pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::vector<Row> build_rows(const ExplainResult& r) {
  std::map<std::string, std::vector<std::string>> missing_by_branch, variants_by_branch;
  for (const auto& v : r.variants) {
    variants_by_branch[short_branch(v.variant)].push_back(v.variant);
    if (!v.found) missing_by_branch[short_branch(v.variant)].push_back(v.variant);
  }
  std::vector<Row> rows;
  auto add = [&](const std::string& label, auto&& cell) {
    Row row{label, {}};
    for (const auto& v : r.variants) {
      if (!v.found) {
        row.cells.push_back("");
        continue;
      }
      std::string c = cell(v);
      row.cells.push_back(c.empty() ? "-" : c);
    }
    bool any = std::any_of(row.cells.begin(), row.cells.end(),
                           [](const std::string& c) { return !c.empty() && c != "-"; });
    if (any) rows.push_back(std::move(row));
  };

  Row value{"value", {}, false};
  for (const auto& v : r.variants) {
    if (v.found) {
      value.cells.push_back(v.value + (v.in_config ? "" : " (not in .config)"));
      continue;
    }
    std::string b = short_branch(v.variant);
    bool whole_branch = missing_by_branch[b].size() == variants_by_branch[b].size();
    value.cells.push_back("(not in " + (whole_branch ? b : v.variant) + ")");
  }
  rows.push_back(std::move(value));
  if (std::any_of(r.variants.begin(), r.variants.end(), [](const auto& v) { return !v.found; })) {
    Row near{"similar names", {}, false};
    for (const auto& v : r.variants)
      near.cells.push_back(v.found ? "" : (v.near_names.empty() ? "-" : join(v.near_names, ", ")));
    rows.push_back(std::move(near));
  }
  add("type", [](const VariantExplanation& v) { return v.type; });
  add("prompt", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& p : v.prompts)
      lines.push_back("\"" + p.text + "\"" + cond_suffix(p.condition) +
                      (p.visible ? " (visible)" : " (hidden)"));
    return lines.empty() ? std::string("(none: not user-settable)") : join(lines, "\n");
  });
  add("defined at", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& d : v.definitions) lines.push_back(d.file + ":" + std::to_string(d.line));
    return join(lines, "\n");
  });
  add("depends on", [](const VariantExplanation& v) {
    if (v.depends_on.empty()) return std::string("(nothing)");
    return v.depends_on.text + "  => " + tri_text(v.depends_on.value);
  });
  auto relations = [](const std::vector<ExplainRelation>& rel) {
    std::vector<std::string> lines;
    for (const auto& x : rel)
      lines.push_back(x.symbol + " [=" + x.value + "]" + cond_suffix(x.condition));
    return join(lines, "\n");
  };
  auto reverse = [](const std::vector<ExplainRelation>& rel) {
    std::vector<std::string> lines;
    for (const auto& x : rel) lines.push_back(x.condition.text + "  => " + tri_text(x.strength));
    return join(lines, "\n");
  };
  add("selects", [&](const VariantExplanation& v) { return relations(v.selects); });
  add("selected by", [&](const VariantExplanation& v) { return reverse(v.selected_by); });
  add("implies", [&](const VariantExplanation& v) { return relations(v.implies); });
  add("implied by", [&](const VariantExplanation& v) { return reverse(v.implied_by); });
  add("defaults", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& d : v.defaults)
      lines.push_back(d.value.text + cond_suffix(d.condition) + (d.active ? "  (active)" : ""));
    return join(lines, "\n");
  });
  add("range", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& x : v.ranges) {
      std::string lo = x.min == x.min_value ? x.min : x.min + " [=" + x.min_value + "]";
      std::string hi = x.max == x.max_value ? x.max : x.max + " [=" + x.max_value + "]";
      lines.push_back(lo + ".." + hi + cond_suffix(x.condition) + (x.active ? "  (active)" : ""));
    }
    return join(lines, "\n");
  });
  add("choice", [](const VariantExplanation& v) {
    if (!v.in_choice) return std::string();
    const ExplainChoice& c = v.choice;
    std::string head = "\"" + c.prompt + "\"" + (c.name.empty() ? "" : " (" + c.name + ")");
    head +=
        ": " + (c.selected.empty() ? std::string("nothing selected") : c.selected + " selected");
    std::vector<std::string> members;
    for (const auto& [n, val] : c.members) members.push_back(n + "=" + val);
    return head + "\nmembers: " + join(members, " ");
  });
  add("requested by", [](const VariantExplanation& v) {
    if (v.requests.empty()) return std::string("default (no fragment sets it)");
    std::vector<std::string> lines;
    for (const auto& q : v.requests) {
      std::string l = q.fragment + ":" + std::to_string(q.line) + ": " + q.requested;
      if (!q.effective)
        l += " (overridden by a later fragment)";
      else if (!q.honored)
        l += " (NOT honoured: got " + v.value + ")";
      lines.push_back(l);
    }
    return join(lines, "\n");
  });
  return rows;
}

// Variants grouped by identical cell text, in first-appearance order.
std::vector<std::pair<std::vector<std::string>, std::string>> groups(
    const std::vector<std::string>& names, const std::vector<std::string>& cells) {
  std::vector<std::pair<std::vector<std::string>, std::string>> out;
  for (size_t i = 0; i < cells.size(); ++i) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.second == cells[i]; });
    if (it == out.end())
      out.push_back({{names[i]}, cells[i]});
    else
      it->first.push_back(names[i]);
  }
  return out;
}

}  // namespace

std::string render_text(const ExplainResult& r, size_t width) {
  if (width < 40) width = 40;
  std::string out;
  std::vector<std::string> names;
  for (const auto& v : r.variants) names.push_back(v.variant);
  std::vector<Row> rows = build_rows(r);

  std::string title = "CONFIG_" + r.symbol;
  for (const auto& v : r.variants)
    if (v.found && !v.prompts.empty()) {
      title += ": " + v.prompts.front().text;
      break;
    }
  for (const auto& l : wrap(title, width, false)) out += l + "\n";

  size_t label_w = 0;
  for (const auto& row : rows) label_w = std::max(label_w, row.label.size());
  label_w += 2;
  const size_t gap = 2;
  size_t n = std::max<size_t>(1, names.size());
  size_t avail = width > label_w ? width - label_w : 0;
  size_t col_w = avail > (n - 1) * gap ? (avail - (n - 1) * gap) / n : 0;
  size_t longest_name = 0;
  for (const auto& nm : names) longest_name = std::max(longest_name, nm.size());
  bool columns = names.size() > 1 && col_w >= std::max<size_t>(16, longest_name);
  size_t span_w = width - label_w;

  if (columns) {
    std::string header = std::string(label_w, ' ');
    for (size_t i = 0; i < names.size(); ++i)
      header += (i ? std::string(gap, ' ') : "") + pad(names[i], i + 1 < names.size() ? col_w : 0);
    out += header + "\n";
    out += std::string(std::min(width, label_w + n * col_w + (n - 1) * gap), '-') + "\n";
  } else if (names.size() > 1) {
    out += "variants: " + join(names, ", ") + "\n";
  }

  auto emit_span = [&](const std::string& label, const std::string& text) {
    std::vector<std::string> lines = wrap(text, span_w);
    for (size_t i = 0; i < lines.size(); ++i) out += pad(i ? "" : label, label_w) + lines[i] + "\n";
  };

  for (const Row& row : rows) {
    // Identical in every variant that has the symbol: one spanning line.
    std::vector<std::string> compared;
    for (size_t i = 0; i < row.cells.size(); ++i)
      if (!row.facts || r.variants[i].found) compared.push_back(row.cells[i]);
    bool same = !compared.empty() &&
                std::all_of(compared.begin(), compared.end(),
                            [&](const std::string& c) { return c == compared.front(); });
    if (same) {
      emit_span(row.label, compared.front());
      continue;
    }
    if (columns) {
      std::vector<std::vector<std::string>> wrapped;
      size_t height = 0;
      for (const auto& c : row.cells) {
        wrapped.push_back(wrap(c, col_w));
        height = std::max(height, wrapped.back().size());
      }
      for (size_t li = 0; li < height; ++li) {
        std::string line = pad(li ? "" : row.label, label_w);
        for (size_t i = 0; i < wrapped.size(); ++i) {
          std::string cell = li < wrapped[i].size() ? wrapped[i][li] : "";
          line +=
              (i ? std::string(gap, ' ') : "") + (i + 1 < wrapped.size() ? pad(cell, col_w) : cell);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
      }
      continue;
    }
    // Stacked: one block per group of variants with the same text.
    out += row.label + ":\n";
    for (const auto& [who, text] : groups(names, row.cells)) {
      if (text.empty()) continue;  // variants without the symbol
      out += "  " + join(who, ", ") + ":\n";
      for (const auto& l : wrap(text, width > 4 ? width - 4 : width)) out += "    " + l + "\n";
    }
  }

  // Help: once when every variant that knows the symbol has the same text.
  std::vector<std::string> help_names, help_cells;
  for (const auto& v : r.variants)
    if (v.found) {
      help_names.push_back(v.variant);
      help_cells.push_back(v.help.empty() ? "(no help text)" : v.help);
    }
  if (!help_cells.empty()) {
    auto g = groups(help_names, help_cells);
    for (const auto& [who, text] : g) {
      out += g.size() == 1 ? std::string("help:\n") : "help (" + join(who, ", ") + "):\n";
      for (const auto& l : wrap(text, width > 2 ? width - 2 : width, false))
        out += (l.empty() ? "" : "  " + l) + "\n";
    }
  }
  return out;
}

// ---- JSON -----------------------------------------------------------------------------------

namespace {

using json = nlohmann::ordered_json;

json expr_json(const ExplainExpr& e) {
  if (e.empty()) return nullptr;
  return json{{"expr", e.text}, {"value", tri_text(e.value)}};
}

json location_json(const ExplainLocation& l) {
  return json{{"file", l.file}, {"line", l.line}};
}

json relations_json(const std::vector<ExplainRelation>& rel) {
  json a = json::array();
  for (const auto& r : rel)
    a.push_back({{"symbol", r.symbol},
                 {"value", r.value},
                 {"condition", expr_json(r.condition)},
                 {"strength", tri_text(r.strength)}});
  return a;
}

}  // namespace

std::string render_json(const ExplainResult& r) {
  json doc{{"symbol", r.symbol}, {"variants", json::array()}};
  for (const auto& v : r.variants) {
    json j{{"variant", v.variant}, {"found", v.found}};
    if (!v.found) {
      j["near_names"] = v.near_names;
      doc["variants"].push_back(std::move(j));
      continue;
    }
    j["type"] = v.type;
    j["value"] = v.value;
    j["in_config"] = v.in_config;
    j["user_set"] = v.user_set;
    json prompts = json::array();
    for (const auto& p : v.prompts)
      prompts.push_back({{"text", p.text},
                         {"condition", expr_json(p.condition)},
                         {"visible", p.visible},
                         {"location", location_json(p.location)}});
    j["prompts"] = std::move(prompts);
    json defs = json::array();
    for (const auto& d : v.definitions) defs.push_back(location_json(d));
    j["definitions"] = std::move(defs);
    j["depends_on"] = expr_json(v.depends_on);
    j["selects"] = relations_json(v.selects);
    j["implies"] = relations_json(v.implies);
    j["selected_by"] = relations_json(v.selected_by);
    j["implied_by"] = relations_json(v.implied_by);
    json defaults = json::array();
    for (const auto& d : v.defaults)
      defaults.push_back({{"value", d.value.text},
                          {"condition", expr_json(d.condition)},
                          {"active", d.active},
                          {"location", location_json(d.location)}});
    j["defaults"] = std::move(defaults);
    json ranges = json::array();
    for (const auto& x : v.ranges)
      ranges.push_back({{"min", x.min},
                        {"max", x.max},
                        {"min_value", x.min_value},
                        {"max_value", x.max_value},
                        {"condition", expr_json(x.condition)},
                        {"active", x.active}});
    j["ranges"] = std::move(ranges);
    if (v.in_choice) {
      json members = json::object();
      for (const auto& [n, val] : v.choice.members) members[n] = val;
      j["choice"] = {{"prompt", v.choice.prompt},
                     {"name", v.choice.name},
                     {"selected", v.choice.selected},
                     {"members", std::move(members)},
                     {"location", location_json(v.choice.location)}};
    } else {
      j["choice"] = nullptr;
    }
    json requests = json::array();
    for (const auto& q : v.requests)
      requests.push_back({{"fragment", q.fragment},
                          {"line", q.line},
                          {"requested", q.requested},
                          {"reason", q.reason},
                          {"effective", q.effective},
                          {"honored", q.honored}});
    j["requests"] = std::move(requests);
    j["help"] = v.help;
    j["conf_help"] = v.conf_help;
    doc["variants"].push_back(std::move(j));
  }
  return doc.dump(2) + "\n";
}

}  // namespace rk::variants
