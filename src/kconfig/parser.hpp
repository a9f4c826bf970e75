// The Kconfig grammar (parser.y of the release being parsed), as a hand-written parser that
// builds the tree through TreeBuilder in the same order, with the same locations, as conf's
// bison actions. Tokens are read exactly when bison would read them: actions that switch the
// lexer (help texts, 'source', macro assignments) run before the next token is looked at.
//
// On the first error it throws KconfigError with the lines conf prints for it, including the
// follow-up of bison's error recovery ("invalid statement", "unknown statement", "missing end
// statement for this entry"); conf would go on looking for more errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
  // bison's default YYMAXDEPTH: deeper nesting makes conf fail with "memory exhausted". We count
  // two stack slots per open block and one per pending expression operator, which is close
  // enough, and keeps the tree's depth (and the finalizer's recursion) bounded.
  static constexpr int kMaxDepth = 10000;
  // Operands in one expression. bison has no such bound ('&&' lists are left-recursive), but the
  // engine's expression walks recurse along a chain: this keeps them well inside the stack.
  static constexpr size_t kMaxOperands = 50000;

  enum class BlockKind { Root, Menu, If, Choice };
  struct Block {
    BlockKind kind;
    Menu* entry;
    bool in_choice;  // statements allowed are those of a choice body
  };

  // The lookahead token; read from the lexer when there is none.
  const Token& peek() {
    if (!has_lookahead_) {
      lexer_.next(lookahead_);
      has_lookahead_ = true;
    }
    return lookahead_;
  }
  // Consumes the lookahead token. The reference (and its text) stays valid until the next
  // peek(), which reuses the token.
  const Token& take() {
    peek();
    has_lookahead_ = false;
    return lookahead_;
  }
  bool at(Tok kind) { return peek().kind == kind; }
  void expect(Tok kind) {
    if (!at(kind)) syntax_error();
    has_lookahead_ = false;
  }
  // A copy of the text of a token of this kind (a syntax error otherwise).
  std::string take_text(Tok kind);
  // The symbol named by a token of this kind (a syntax error otherwise); `flags` as for
  // Tree::lookup.
  Symbol* take_symbol(Tok kind, uint32_t flags);

  void stamp();
  [[noreturn]] void syntax_error();
  [[noreturn]] void memory_exhausted();
  std::string bison_message(const std::string& what) const;
  std::string missing_ends() const;
  void open_block(BlockKind kind, Menu* entry, bool in_choice);
  [[noreturn]] void error(const std::string& msg);
  void warn(const std::string& msg);
  std::string here() const;  // "file:line" of the current statement, as conf prints it
  static std::string located(const SourceFile* file, int line, const std::string& msg);

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
  void prompt_line();
  void prompt_after_type(SymbolType type);
  void set_modules(Symbol* sym);

  Expr* if_expr();
  Expr* expr();
  Expr* comparison();
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
  std::vector<Tok> expr_ops_;  // expr()'s stacks, kept to reuse their storage
  std::vector<Expr*> expr_operands_;
  std::vector<Block> blocks_;
  Menu* current_choice_ = nullptr;  // 6.11+: the choice whose body is being read
  Symbol* modules_sym_ = nullptr;
  std::string statement_word_;      // a statement that started with a bare word (an assignment)
  bool before_statements_ = false;  // bison's state 0: no error recovery possible
  int nesting_ = 0;                 // parser stack depth estimate, bounded like bison's
};

}  // namespace rk::kconfig
