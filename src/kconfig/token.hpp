// The tokens of the Kconfig language, as the lexer hands them to the parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kconfig/tree.hpp"

namespace rk::kconfig {

enum class Tok : uint8_t {
  End,        // end of the top-level file
  Eol,        // end of a statement
  Word,       // symbol name or other bare word (after macro expansion)
  WordQuote,  // quoted string (after escapes and macro expansion)
  HelpText,   // the body of a help text
  AssignVal,  // right-hand side of a macro assignment, raw

  // keywords
  AllNoConfigY,  // 5.10 'option allnoconfig_y'
  Bool,
  Choice,
  Comment,
  Config,
  DefBool,
  DefTristate,
  Default,
  DefconfigList,  // 5.10 'option defconfig_list'
  Depends,
  EndChoice,
  EndIf,
  EndMenu,
  Help,
  Hex,
  If,
  Imply,
  Int,
  MainMenu,
  Menu,
  MenuConfig,
  Modules,
  On,
  Option,    // 5.10
  Optional,  // before 6.11
  Prompt,
  Range,
  Select,
  Source,
  String,
  Transitional,  // 6.18+
  Tristate,
  Visible,

  // operators
  Or,
  And,
  Equal,
  Unequal,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Not,
  OpenParen,
  CloseParen,
  ColonEqual,
  PlusEqual,
};

struct Token {
  Tok kind = Tok::End;
  std::string text;  // Word, WordQuote, HelpText, AssignVal
};

// The keyword spelled `word` in `dialect`, or Tok::Word.
Tok keyword(std::string_view word, const Dialect& dialect);

}  // namespace rk::kconfig
