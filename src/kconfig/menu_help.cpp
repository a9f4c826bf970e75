#include "kconfig/menu_help.hpp"

#include "kconfig/expr.hpp"

namespace rk::kconfig {

namespace {

constexpr const char* kNoHelp = "There is no help available for this option.";

// Builds the text the way conf's gstr helpers do: plain appends, and expression tokens that
// may be folded at `max_width`.
class HelpWriter {
 public:
  HelpWriter(Config& c, const HelpOptions& o) : c_(c), o_(o), x_(c.tree(), nullptr) {}

  std::string out;

  void expr(const Expr* e) { expr_append_annotated(e, out, value_fn(), o_.max_width); }

  // expr_print_revdep: every top-level || operand whose value is `level`, one per line.
  void revdep(const Expr* e, Tristate level, const char*& title) {
    if (!e) return;
    if (e->kind == ExprKind::Or) {
      revdep(e->left, level, title);
      revdep(e->right, level, title);
      return;
    }
    if (c_.eval(e) != level) return;
    if (title) {
      token(nullptr, title);
      title = nullptr;
    }
    token(nullptr, "  - ");
    expr_print_tokens(e, [&](const Symbol* s, std::string_view text) { token(s, text); });
    token(nullptr, "\n");
  }

  void dep(const Expr* e, const char* prefix) {
    if (x_.is_yes(e)) return;
    out += prefix;
    expr(e);
    out += "\n";
  }

  void props(const Symbol* sym, PropType type, const char* prefix) {
    bool hit = false;
    for (const Property* p = sym->props; p; p = p->next) {
      if (p->type != type) continue;
      out += hit ? " && " : prefix;
      hit = true;
      expr(p->expr);
    }
    if (hit) out += "\n";
  }

  bool same(const Expr* a, const Expr* b) { return x_.eq(a, b); }

 private:
  std::function<std::string(const Symbol*)> value_fn() {
    return [this](const Symbol* s) { return conf_string_value(c_, s); };
  }

  // expr_print_gstr_helper for one token.
  void token(const Symbol* s, std::string_view text) {
    std::string value;
    if (s) value = conf_string_value(c_, s);
    if (o_.max_width) {
      size_t extra = text.size() + (s ? 4 + value.size() : 0);
      size_t cr = out.rfind('\n');
      size_t line = cr == std::string::npos ? out.size() : out.size() - cr;
      if (line + extra > o_.max_width) out += "\\\n";
    }
    out += text;
    if (s && s->type != SymbolType::Unknown) out += " [=" + value + "]";
  }

  Config& c_;
  const HelpOptions& o_;
  ExprSimplifier x_;
};

const char* prompt_of(const Menu* m) {
  if (m->prompt) return m->prompt->text.c_str();
  if (m->sym && m->sym->has_name) return m->sym->name.c_str();
  return "";
}

std::string symbol_name(const Symbol* s) {
  return s->has_name ? s->name : "<choice>";
}

void definition(HelpWriter& w, const Menu* m) {
  w.out += "Defined at " + (m->file ? m->file->name : std::string()) + ":" +
           std::to_string(m->line) + "\n";
}

void prompt_details(Config& c, HelpWriter& w, const Property* prop) {
  const Menu* pm = prop->menu;
  w.out += "  Prompt: " + prop->text + "\n";
  w.dep(pm->conf_dep, "  Depends on: ");
  // Only prompts whose visibility differs from their dependencies ('if' on the prompt, a
  // parent's 'visible if') show both.
  if (!w.same(pm->conf_dep, prop->conf_visible)) w.dep(prop->conf_visible, "  Visible if: ");

  const Tree& t = c.tree();
  const bool legacy = legacy_help_location(t.dialect);
  const Menu* chain[8];
  int n = 0;
  for (const Menu* m = legacy ? pm->parent : pm; m && m != &t.root && n < 8; m = m->parent) {
    chain[n++] = m;
    // Visibility is checked for the jump keys of menuconfig's search; conf does it too, and
    // it has side effects, so it happens here the same way.
    if (legacy) c.menu_visible(m);
  }
  if (!legacy) {
    for (int i = 0; i < n; ++i)
      if (c.menu_visible(chain[i])) break;
  }
  if (legacy && n == 0) return;
  w.out += "  Location:\n";
  for (int j = 4; --n >= 0; j += 2) {
    const Menu* m = chain[n];
    w.out += std::string(static_cast<size_t>(j), ' ') + "-> " + prompt_of(m);
    if (m->sym) w.out += " (" + symbol_name(m->sym) + " [=" + conf_string_value(c, m->sym) + "])";
    w.out += "\n";
  }
}

void symbol_details(Config& c, HelpWriter& w, const Symbol* sym) {
  if (sym->has_name) {
    w.out += "Symbol: " + sym->name + " [=" + conf_string_value(c, sym) + "]\n";
    w.out += std::string("Type  : ") + symbol_type_name(sym->type) + "\n";
    if (sym->type == SymbolType::Int || sym->type == SymbolType::Hex) {
      if (const Property* range = c.active_range(sym)) {
        w.out += "Range : ";
        w.expr(range->expr);
        w.out += "\n";
      }
    }
  }
  // Definitions with a prompt first, then the ones without.
  for (const Menu* m : sym->menus) {
    if (!m->prompt) continue;
    definition(w, m);
    prompt_details(c, w, m->prompt);
  }
  for (const Menu* m : sym->menus) {
    if (m->prompt) continue;
    definition(w, m);
    w.dep(m->conf_dep, "  Depends on: ");
  }

  w.props(sym, PropType::Select, "Selects: ");
  if (sym->conf_rev_dep) {
    const char* title = "Selected by [y]:\n";
    w.revdep(sym->conf_rev_dep, Tristate::Yes, title);
    title = "Selected by [m]:\n";
    w.revdep(sym->conf_rev_dep, Tristate::Mod, title);
    title = "Selected by [n]:\n";
    w.revdep(sym->conf_rev_dep, Tristate::No, title);
  }
  w.props(sym, PropType::Imply, "Implies: ");
  if (sym->conf_implied) {
    const char* title = "Implied by [y]:\n";
    w.revdep(sym->conf_implied, Tristate::Yes, title);
    title = "Implied by [m]:\n";
    w.revdep(sym->conf_implied, Tristate::Mod, title);
    title = "Implied by [n]:\n";
    w.revdep(sym->conf_implied, Tristate::No, title);
  }
  w.out += "\n\n";
}

}  // namespace

std::string conf_string_value(Config& c, const Symbol* sym) {
  return c.string_value(sym);
}

std::string symbol_info(Config& c, const Symbol* sym, const HelpOptions& options) {
  c.tree().ensure_conf_forms();
  HelpWriter w(c, options);
  symbol_details(c, w, sym);
  return std::move(w.out);
}

std::string menu_help(Config& c, const Menu* menu, const HelpOptions& options) {
  c.tree().ensure_conf_forms();
  HelpWriter w(c, options);
  const Symbol* sym = menu->sym;
  if (menu->has_help) {
    if (sym && sym->has_name) w.out += "CONFIG_" + sym->name + ":\n\n";
    w.out += menu->help;
    w.out += "\n";
  } else {
    w.out += std::string(kNoHelp) + "\n";
  }
  if (sym) symbol_details(c, w, sym);
  return std::move(w.out);
}

}  // namespace rk::kconfig
