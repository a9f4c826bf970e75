// The Kconfig macro language (Documentation/kbuild/kconfig-macro-language.rst), with the exact
// behaviour of scripts/kconfig/preprocess.c: variables (recursive '=', simple ':=', '+='),
// user-defined functions called as $(name,arg,...) whose body reads $(1), $(2)..., the built-in
// functions, and environment variables as the last resort.
//
// Expansion is driven by the lexer, which hands over the text of the current line: only "$("
// starts a reference, and a reference must close on the same line.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kconfig/diagnostics.hpp"
#include "kconfig/parse.hpp"
#include "kconfig/shell.hpp"

namespace rk::kconfig {

// What the macros can see of the lexer: $(filename), $(lineno) and the location prefix of
// messages use the file being read and the lexer's current line (not the statement's line).
class MacroLocation {
 public:
  virtual ~MacroLocation() = default;
  virtual std::string_view macro_file() const = 0;
  virtual int macro_line() const = 0;
};

enum class VarFlavor { Recursive, Simple, Append };

struct MacroEnvironment {
  const Environment* env = nullptr;  // what getenv() would return
  ShellRunner* shell = nullptr;
  std::string cwd;
  Diagnostics* diag = nullptr;                   // $(warning-if,...)
  std::function<void(const std::string&)> info;  // $(info,...), may be null
  // Every environment variable read, once, in first-read order, with its value (conf writes
  // them to auto.conf.cmd).
  std::vector<std::pair<std::string, std::string>>* env_used = nullptr;
  // Names read while unset (a parse cache must see them still unset). May be null.
  std::vector<std::string>* env_unset = nullptr;
  ParseLimits limits;
};

class Preprocessor {
 public:
  Preprocessor(MacroEnvironment menv, const MacroLocation& where);

  // `text[pos]` follows a '$'. Expands the reference starting there ("$" alone when no '('
  // follows) and moves `pos` past it.
  std::string expand_dollar(std::string_view text, size_t& pos);
  // Expands a word starting at `text[pos]`: word characters and references, up to the first
  // other character, where `pos` is left.
  std::string expand_token(std::string_view text, size_t& pos);
  // An assignment statement: NAME = / := / += VALUE.
  void assign(const std::string& name, const std::string& value, VarFlavor flavor);

 private:
  struct Variable {
    std::string value;
    VarFlavor flavor = VarFlavor::Recursive;
    int active = 0;  // expansions of this variable in progress
  };
  using Args = std::vector<std::string>;

  enum class StopAt { EndOfText, EndOfWord };
  std::string expand(std::string_view text, size_t& pos, StopAt stop, const Args& args);
  std::string expand_reference(std::string_view text, size_t& pos, const Args& args);
  std::string evaluate(std::string_view clause, const Args& args);
  bool expand_variable(const std::string& name, const Args& args, std::string& out);
  bool call_builtin(const std::string& name, const Args& args, std::string& out);
  bool read_environment(const std::string& name, std::string& out);
  std::string run_shell(const std::string& command);

  [[noreturn]] void fail(const std::string& message) const;
  std::string where() const;  // "file:line"
  void charge(size_t result_bytes, size_t added_bytes);

  MacroEnvironment menv_;
  const MacroLocation& where_;
  std::unordered_map<std::string, Variable> vars_;
  std::unordered_map<std::string, std::string> env_seen_;
  int depth_ = 0;
  size_t evaluations_ = 0;
  size_t total_bytes_ = 0;
};

}  // namespace rk::kconfig
