// The Kconfig tokenizer, following lexer.l of the release being parsed: keywords, words with
// macro references expanded in place, quoted strings, operators, help texts, the raw right-hand
// side of macro assignments, 'source' file switching, and conf's notion of "the current
// statement's line" that every entry, property and message is stamped with.
#pragma once

#include <string>
#include <string_view>

#include "kconfig/diagnostics.hpp"
#include "kconfig/preprocess.hpp"
#include "kconfig/source_stack.hpp"
#include "kconfig/token.hpp"

namespace rk::kconfig {

class Lexer : public MacroLocation {
 public:
  Lexer(const Dialect& dialect, SourceStack& files, Diagnostics& diag, size_t max_warnings);
  // The preprocessor needs the lexer (for $(filename)/$(lineno)) and the other way round.
  void set_preprocessor(Preprocessor& pp) { pp_ = &pp; }

  // The next token for the parser, into `out` (whose text buffer is reused, so most tokens
  // cost no allocation). Like conf's yylex(): end-of-lines that end nothing are dropped, the
  // statement line is taken at a statement's first token, and "WORD =", "WORD :=" or "WORD +="
  // at the start of a line switch to reading the raw assignment value.
  void next(Token& out);
  // Called by the parser right after "help" EOL: the following lines are the help text.
  void start_help();
  // 'source NAME': continue reading from NAME.
  void push_source(const std::string& name);

  // The line of the current statement's first token (conf's cur_lineno / zconf_lineno()).
  int statement_line() const { return stmt_line_; }
  // The file being read; null once conf before 6.9 has closed the top-level file at its end.
  const SourceFile* current_file() const;
  // The file name conf puts in front of parser messages.
  std::string message_file() const;

  // Beyond conf: stops a tree that floods the diagnostics (ParseLimits::warnings).
  void check_warning_budget() const {
    if (diag_.lines().size() - warnings_base_ > max_warnings_) too_many_warnings();
  }

  std::string_view macro_file() const override;
  int macro_line() const override;

 private:
  enum class Mode { Initial, AssignValue, Help };

  // Each returns the token's kind and leaves its text (if any) in `text`.
  Tok lex_one(std::string& text);
  Tok lex_initial(std::string& text);
  bool lex_word(Tok& kind, std::string& text);
  Tok lex_string(char quote, std::string& text);
  Tok lex_assign_value(std::string& text);
  Tok lex_help(std::string& text);
  Tok end_of_file();
  void warn(std::string_view file, int line, const std::string& msg);
  [[noreturn]] void too_many_warnings() const;

  const Dialect& dialect_;
  SourceStack& files_;
  Diagnostics& diag_;
  Preprocessor* pp_ = nullptr;
  size_t warnings_base_;
  size_t max_warnings_;

  Mode mode_ = Mode::Initial;
  Tok prev_ = Tok::Eol;   // last token handed out
  Tok prev2_ = Tok::Eol;  // the one before
  int stmt_line_ = 0;
  const SourceFile* stmt_file_ = nullptr;
  bool top_closed_ = false;  // before 6.9: the top-level file was closed at its end
  bool ended_ = false;

  int first_indent_ = 0;  // indentation of the help text's first line (0 until seen)
  int last_indent_ = 0;   // indentation of the latest indented line
};

}  // namespace rk::kconfig
