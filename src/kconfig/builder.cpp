#include "kconfig/builder.hpp"

#include <cctype>

namespace rk::kconfig {

TreeBuilder::TreeBuilder(Tree& tree, Diagnostics& diag)
    : tree_(tree),
      diag_(diag),
      entry_(&tree.root),
      menu_(&tree.root),
      last_entry_ptr_(&tree.root.list) {}

Menu* TreeBuilder::add_entry(Symbol* sym) {
  Menu* m = tree_.new_menu();
  m->sym = sym;
  m->parent = menu_;
  m->file = file_;
  m->line = line_;
  *last_entry_ptr_ = m;
  last_entry_ptr_ = &m->next;
  entry_ = m;
  if (sym) {
    sym->menus.push_back(m);
    if (!tree_.dialect.new_choice_rules()) add_symbol(PropType::Symbol, sym, nullptr);
  }
  return m;
}

Menu* TreeBuilder::begin_children() {
  last_entry_ptr_ = &entry_->list;
  menu_ = entry_;
  return menu_;
}

void TreeBuilder::end_children() {
  last_entry_ptr_ = &menu_->next;
  menu_ = menu_->parent;
}

void TreeBuilder::add_dep(Expr* dep) {
  entry_->dep = tree_.new_and(entry_->dep, dep);
}

void TreeBuilder::set_type(SymbolType type) {
  Symbol* sym = entry_->sym;
  if (sym->type == type) return;
  if (sym->type == SymbolType::Unknown) {
    sym->type = type;
    return;
  }
  diag_.warn_at(entry_->file, entry_->line,
                std::string("ignoring type redefinition of '") +
                    (sym->has_name ? sym->name : std::string("<choice>")) + "' from '" +
                    symbol_type_name(sym->type) + "' to '" + symbol_type_name(type) + "'");
}

Property* TreeBuilder::add_prop(PropType type, Expr* expr, Expr* dep) {
  Property* p = tree_.new_property(type);
  p->file = file_;
  p->line = line_;
  p->menu = entry_;
  p->expr = expr;
  p->visible = dep;
  if (entry_->sym) {
    Property** pp = &entry_->sym->props;
    while (*pp) pp = &(*pp)->next;
    *pp = p;
  }
  return p;
}

Property* TreeBuilder::add_prompt(PropType type, std::string text, Expr* dep) {
  Property* p = add_prop(type, nullptr, dep);
  if (!text.empty() && std::isspace(static_cast<unsigned char>(text[0]))) {
    diag_.warn_at(p->file, p->line, "leading whitespace ignored");
    size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    text.erase(0, i);
  }
  if (entry_->prompt) diag_.warn_at(p->file, p->line, "prompt redefined");

  // A prompt is only as visible as every enclosing menu's 'visible if'.
  if (type == PropType::Prompt) {
    for (Menu* m = entry_->parent; m; m = m->parent) {
      if (!m->visibility) continue;
      p->visible = tree_.new_and(p->visible, tree_.copy(m->visibility));
    }
  }
  entry_->prompt = p;
  p->text = std::move(text);
  return p;
}

void TreeBuilder::add_visibility(Expr* expr) {
  entry_->visibility = tree_.new_and(entry_->visibility, expr);
}

Property* TreeBuilder::add_expr(PropType type, Expr* expr, Expr* dep) {
  return add_prop(type, expr, dep);
}

Property* TreeBuilder::add_symbol(PropType type, Symbol* sym, Expr* dep) {
  return add_prop(type, tree_.new_sym_expr(sym), dep);
}

void TreeBuilder::set_help(std::string text) {
  entry_->has_help = true;
  entry_->help = tree_.keep_text(std::move(text));
}

}  // namespace rk::kconfig
