// The Kconfig grammar (parser.y of the release being parsed), as a hand-written parser that
// builds the tree through TreeBuilder in the same order, with the same locations, as conf's
// bison actions. Tokens are read exactly when bison would read them: actions that switch the
// lexer (help texts, 'source', macro assignments) run before the next token is looked at.
//
// On the first error it throws KconfigError with the lines conf prints for it, including the
// follow-up of bison's error recovery ("invalid statement", "unknown statement", "missing end
// statement for this entry"); conf would go on looking for more errors.
#pragma once

#include <string>
#include <vector>

#include "kconfig/builder.hpp"
#include "kconfig/lexer.hpp"
#include "kconfig/preprocess.hpp"

namespace rk::kconfig {

class Parser {
 public:
  Parser(Tree& tree, Lexer& lexer, Preprocessor& pp, TreeBuilder& builder, Diagnostics& diag);

  void parse();
  // The symbol marked as 'modules' ('option modules' in 5.10), or null.
  Symbol* modules_symbol() const { return modules_sym_; }

 private:
  enum class BlockKind { Root, Menu, If, Choice };
  struct Block {
    BlockKind kind;
    Menu* entry;
    bool in_choice;  // statements allowed are those of a choice body
  };

  const Token& peek();
  Token take();
  bool at(Tok kind) { return peek().kind == kind; }
  void expect(Tok kind);
  std::string take_text(Tok kind);

  void stamp();
  [[noreturn]] void syntax_error();
  [[noreturn]] void memory_exhausted();
  std::string bison_message(const std::string& what) const;
  std::string missing_ends() const;
  void open_block(BlockKind kind, Menu* entry, bool in_choice);
  [[noreturn]] void error(const std::string& msg);
  void warn(const std::string& msg);
  std::string here() const;  // "file:line" of the current statement, as conf prints it

  void statements();
  void end_statement();
  void config_entry(bool menuconfig);
  bool config_option(Menu* entry);
  void check_choice_member(Menu* entry);
  void choice_entry();
  bool choice_option(Menu* entry);
  void comment_entry();
  void menu_entry();
  void if_entry();
  void source_statement();
  void assignment();
  void help(Menu* entry);
  void depends();
  void prompt_after_type(SymbolType type);
  void set_modules(Symbol* sym);

  Expr* if_expr();
  Expr* expr();
  Expr* and_expr();
  Expr* unary_expr();
  Symbol* symbol();

  Tree& tree_;
  Lexer& lexer_;
  Preprocessor& pp_;
  TreeBuilder& b_;
  Diagnostics& diag_;
  bool legacy_choices_;
  bool has_option_;

  Token lookahead_;
  bool has_lookahead_ = false;
  std::vector<Block> blocks_;
  Menu* current_choice_ = nullptr;  // 6.11+: the choice whose body is being read
  Symbol* modules_sym_ = nullptr;
  std::string statement_word_;   // a statement that started with a bare word (an assignment)
  bool before_statements_ = false;  // bison's state 0: no error recovery possible
  int nesting_ = 0;                 // parser stack depth estimate, bounded like bison's
};

}  // namespace rk::kconfig
