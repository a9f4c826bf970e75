// The parser's config, menuconfig and choice entries with their attribute lines.
#include "kconfig/parser.hpp"

namespace rk::kconfig {

void Parser::config_entry(bool menuconfig) {
  take();
  Symbol* sym = take_symbol(Tok::Word, 0);
  expect(Tok::Eol);
  // Before 6.11 every config symbol was "optional"; only choices could lose the flag.
  if (legacy_choices_) sym->flags |= kSymOptional;
  stamp();
  Menu* entry = b_.add_entry(sym);
  if (menuconfig) entry->flags |= kMenuConfig;
  while (config_option(entry)) {
  }
  if (menuconfig) {
    if (entry->prompt)
      entry->prompt->type = PropType::Menu;
    else
      warn("warning: menuconfig statement without prompt");
  } else if (current_choice_) {
    check_choice_member(entry);
  }
}

// 6.11+: a config inside a choice body joins the choice (once, even when repeated).
void Parser::check_choice_member(Menu* entry) {
  std::string errors;
  auto add = [&](const std::string& msg) {
    if (!errors.empty()) errors += "\n";
    errors += located(entry->file, entry->line, msg);
  };
  if (!entry->prompt) add("error: choice member must have a prompt");
  if (entry->sym->type != SymbolType::Bool) add("error: choice member must be bool");
  if (!errors.empty()) throw KconfigError(errors);
  Symbol* sym = entry->sym;
  if (!sym->choice) {
    sym->choice = current_choice_;
    sym->choice_sym = current_choice_->sym;
    sym->flags |= kSymChoiceValue;
    current_choice_->choice_members.push_back(sym);
  }
}

// One line of a config's attributes; false when the next token starts something else.
bool Parser::config_option(Menu* entry) {
  switch (peek().kind) {
    case Tok::Bool:
      prompt_after_type(SymbolType::Bool);
      return true;
    case Tok::Tristate:
      prompt_after_type(SymbolType::Tristate);
      return true;
    case Tok::Int:
      prompt_after_type(SymbolType::Int);
      return true;
    case Tok::Hex:
      prompt_after_type(SymbolType::Hex);
      return true;
    case Tok::String:
      prompt_after_type(SymbolType::String);
      return true;
    case Tok::Prompt:
      prompt_line();
      return true;
    case Tok::Default:
    case Tok::DefBool:
    case Tok::DefTristate: {
      Tok kind = take().kind;
      Expr* value = expr();
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_expr(PropType::Default, value, cond);
      if (kind == Tok::DefBool) b_.set_type(SymbolType::Bool);
      if (kind == Tok::DefTristate) b_.set_type(SymbolType::Tristate);
      return true;
    }
    case Tok::Select:
    case Tok::Imply: {
      PropType type = take().kind == Tok::Select ? PropType::Select : PropType::Imply;
      Symbol* target = take_symbol(Tok::Word, 0);
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_symbol(type, target, cond);
      return true;
    }
    case Tok::Range: {
      take();
      Symbol* low = symbol();
      Symbol* high = symbol();
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_expr(PropType::Range, tree_.new_cmp_expr(ExprKind::Range, low, high), cond);
      return true;
    }
    case Tok::Depends:
      depends();
      return true;
    case Tok::Help:
      help(entry);
      return true;
    case Tok::Option: {  // 5.10
      take();
      Tok what = peek().kind;
      if (what != Tok::Modules && what != Tok::DefconfigList && what != Tok::AllNoConfigY)
        syntax_error();
      take();
      expect(Tok::Eol);
      stamp();
      if (what == Tok::Modules) {
        set_modules(entry->sym);
      } else if (what == Tok::DefconfigList) {
        if (!tree_.defconfig_list)
          tree_.defconfig_list = entry->sym;
        else if (tree_.defconfig_list != entry->sym)
          error("trying to redefine defconfig symbol");
        tree_.defconfig_list->flags |= kSymNoWrite | kSymDefconfigList;
      } else {
        entry->sym->flags |= kSymAllNoConfigY;
      }
      return true;
    }
    case Tok::Modules:  // the keyword form, after 'option' went away
      if (has_option_) return false;
      take();
      expect(Tok::Eol);
      stamp();
      set_modules(entry->sym);
      return true;
    case Tok::Transitional:  // 6.18+
      take();
      expect(Tok::Eol);
      entry->sym->flags |= kSymTransitional;
      return true;
    default:
      return false;
  }
}

void Parser::set_modules(Symbol* sym) {
  if (modules_sym_)
    error("symbol '" + sym->name + "' redefines option 'modules' already defined by symbol '" +
          modules_sym_->name + "'");
  modules_sym_ = sym;
}

// "bool/tristate/int/hex/string ["prompt" [if EXPR]]": the prompt is added before the type is
// set, as bison reduces the optional prompt first.
// `prompt "text" [if expr]`, and 6.11+'s `bool "text" [if expr]` in a choice: the keyword, then
// a text that must be there.
void Parser::prompt_line() {
  take();
  std::string text = take_text(Tok::WordQuote);
  Expr* cond = if_expr();
  expect(Tok::Eol);
  stamp();
  b_.add_prompt(PropType::Prompt, std::move(text), cond);
}

void Parser::prompt_after_type(SymbolType type) {
  take();
  if (at(Tok::WordQuote)) {
    std::string text = take().text;
    Expr* cond = if_expr();
    stamp();
    b_.add_prompt(PropType::Prompt, std::move(text), cond);
  }
  expect(Tok::Eol);
  stamp();
  b_.set_type(type);
}

void Parser::choice_entry() {
  take();
  std::string name;
  bool named = false;
  if (legacy_choices_ && at(Tok::Word)) {  // named choices existed before 6.11
    name = take().text;
    named = true;
  }
  expect(Tok::Eol);
  Symbol* sym = named ? tree_.lookup(name, kSymChoice) : tree_.new_choice_symbol();
  stamp();
  Menu* entry;
  if (legacy_choices_) {
    sym->flags |= kSymNoWrite;
    entry = b_.add_entry(sym);
    b_.add_expr(PropType::Choice, nullptr, nullptr);
  } else {
    entry = b_.add_entry(sym);
    b_.set_type(SymbolType::Bool);
  }
  entry->flags |= kMenuChoice;
  while (choice_option(entry)) {
  }
  if (!legacy_choices_ && !entry->prompt)
    throw KconfigError(located(entry->file, entry->line, "error: choice must have a prompt"));
  open_block(BlockKind::Choice, entry, true);
  if (!legacy_choices_) current_choice_ = entry;
}

bool Parser::choice_option(Menu* entry) {
  switch (peek().kind) {
    case Tok::Prompt:
      prompt_line();
      return true;
    case Tok::Bool:
      if (!legacy_choices_) {  // 6.11+: "bool" needs a prompt and changes no type
        prompt_line();
        return true;
      }
      prompt_after_type(SymbolType::Bool);
      return true;
    case Tok::Tristate:
      if (!legacy_choices_) return false;
      prompt_after_type(SymbolType::Tristate);
      return true;
    case Tok::Optional:
      take();
      expect(Tok::Eol);
      entry->sym->flags |= kSymOptional;
      return true;
    case Tok::Default: {
      take();
      Symbol* target = take_symbol(Tok::Word, 0);
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_symbol(PropType::Default, target, cond);
      return true;
    }
    case Tok::Depends:
      depends();
      return true;
    case Tok::Help:
      help(entry);
      return true;
    default:
      return false;
  }
}

}  // namespace rk::kconfig
