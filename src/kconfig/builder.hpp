// Builds a Tree the way the kernel's parser does while it reads Kconfig files: entries are
// appended to the current menu, dependencies and properties attach to the current entry.
// The parser drives it; finalize() then propagates dependencies (see finalize.cpp).
#pragma once

#include <string>

#include "kconfig/diagnostics.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

class TreeBuilder {
 public:
  TreeBuilder(Tree& tree, Diagnostics& diag);

  Tree& tree() { return tree_; }

  // Location stamped on new entries and properties.
  void set_location(const SourceFile* file, int line) {
    file_ = file;
    line_ = line;
  }
  const SourceFile* file() const { return file_; }
  int line() const { return line_; }

  // Starts a new entry (config, menuconfig, choice, menu, comment, if) in the current menu.
  // For a symbol entry this also records the definition (P_SYMBOL before 6.11).
  Menu* add_entry(Symbol* sym);
  // Makes the current entry the menu that following entries go into.
  Menu* begin_children();
  // Closes the innermost open menu.
  void end_children();
  Menu* current_entry() { return entry_; }
  Menu* current_menu() { return menu_; }

  void add_dep(Expr* dep);  // 'depends on' of the current entry
  void set_type(SymbolType type);
  // prompt/comment/menu text; also applies the 'visible if' of enclosing menus to prompts.
  Property* add_prompt(PropType type, std::string text, Expr* dep);
  void add_visibility(Expr* expr);                              // 'visible if'
  Property* add_expr(PropType type, Expr* expr, Expr* dep);     // default, range
  Property* add_symbol(PropType type, Symbol* sym, Expr* dep);  // select, imply
  void set_help(std::string text);

 private:
  Property* add_prop(PropType type, Expr* expr, Expr* dep);

  Tree& tree_;
  Diagnostics& diag_;
  Menu* entry_;
  Menu* menu_;
  Menu** last_entry_ptr_;
  const SourceFile* file_ = nullptr;
  int line_ = 0;
};

}  // namespace rk::kconfig
