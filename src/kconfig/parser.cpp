#include "kconfig/parser.hpp"

#include "kconfig/front_end_rules.hpp"

namespace rk::kconfig {

namespace {

// bison's default YYMAXDEPTH: deeper nesting makes conf fail with "memory exhausted". We count
// two stack slots per open block and one per nested expression level, which is close enough
// and keeps recursion (ours and the finalizer's) bounded.
constexpr int kMaxParserDepth = 10000;

const char* block_word(Tok end) {
  return end == Tok::EndMenu ? "menu" : end == Tok::EndChoice ? "choice" : "if";
}

std::string symbol_label(const Symbol* sym) { return sym->has_name ? sym->name : "<choice>"; }

bool is_blank_text(const std::string& text) {
  for (char c : text) {
    if (c == '\0') break;
    if (c != ' ' && c != '\f' && c != '\n' && c != '\r' && c != '\t' && c != '\v') return false;
  }
  return true;
}

std::string located(const SourceFile* file, int line, const std::string& msg) {
  return (file ? file->name : std::string("<none>")) + ":" + std::to_string(line) + ": " + msg;
}

// Raises a depth counter for a scope.
class Nest {
 public:
  explicit Nest(int& depth, int by = 1) : depth_(depth), by_(by) { depth_ += by_; }
  ~Nest() { depth_ -= by_; }
  Nest(const Nest&) = delete;
  Nest& operator=(const Nest&) = delete;

 private:
  int& depth_;
  int by_;
};

}  // namespace

Parser::Parser(Tree& tree, Lexer& lexer, Preprocessor& pp, TreeBuilder& builder, Diagnostics& diag)
    : tree_(tree),
      lexer_(lexer),
      pp_(pp),
      b_(builder),
      diag_(diag),
      legacy_choices_(legacy_choices(tree.dialect)),
      has_option_(has_option_statement(tree.dialect)) {}

// ---------------------------------------------------------------------------------------------
// Tokens and messages

const Token& Parser::peek() {
  if (!has_lookahead_) {
    lookahead_ = lexer_.next();
    has_lookahead_ = true;
  }
  return lookahead_;
}

Token Parser::take() {
  peek();
  has_lookahead_ = false;
  return std::move(lookahead_);
}

void Parser::expect(Tok kind) {
  if (!at(kind)) syntax_error();
  take();
}

std::string Parser::take_text(Tok kind) {
  if (!at(kind)) syntax_error();
  return take().text;
}

// Entries and properties get the file being read and the line of the statement's first token.
void Parser::stamp() { b_.set_location(lexer_.current_file(), lexer_.statement_line()); }

std::string Parser::here() const {
  return lexer_.message_file() + ":" + std::to_string(lexer_.statement_line());
}

void Parser::error(const std::string& msg) { throw KconfigError(here() + ": " + msg); }

void Parser::warn(const std::string& msg) { diag_.emit(here() + ": " + msg); }

// What conf prints for a syntax error: bison's message, then what its error recovery leads to.
// Recovery pops back to the innermost statement list and skips tokens up to the end of the
// line ("invalid statement", or "unknown statement" right after a bare word); at the end of
// the input it gives up instead, and every block still open reports its missing end.
void Parser::syntax_error() {
  std::string msg = bison_message("syntax error");
  if (before_statements_) throw KconfigError(msg);
  std::string word = statement_word_;
  while (!at(Tok::Eol)) {
    if (at(Tok::End)) throw KconfigError(msg + missing_ends());
    take();
  }
  msg += "\n" + here() + ": " +
         (word.empty() ? std::string("invalid statement") : "unknown statement \"" + word + "\"");
  throw KconfigError(msg);
}

std::string Parser::bison_message(const std::string& what) const {
  // Before 6.9 the message carried the line after the statement's.
  int line = lexer_.statement_line() + (legacy_file_tracking(tree_.dialect) ? 1 : 0);
  return lexer_.message_file() + ":" + std::to_string(line) + ": " + what;
}

std::string Parser::missing_ends() const {
  std::string msg;
  for (size_t i = blocks_.size(); i-- > 1;)
    msg += "\n" + located(blocks_[i].entry->file, blocks_[i].entry->line,
                          "missing end statement for this entry");
  return msg;
}

// bison gives up when its stack is full, and pops (reporting) every open block on the way out.
void Parser::memory_exhausted() {
  throw KconfigError(bison_message("memory exhausted") + missing_ends());
}

void Parser::open_block(BlockKind kind, Menu* entry, bool in_choice) {
  b_.begin_children();
  blocks_.push_back({kind, entry, in_choice});
  nesting_ += 2;
  if (nesting_ > kMaxParserDepth) memory_exhausted();
}

// ---------------------------------------------------------------------------------------------
// Statements

void Parser::parse() {
  blocks_.push_back({BlockKind::Root, &tree_.root, false});
  if (at(Tok::MainMenu)) {
    before_statements_ = true;
    take();
    std::string text = take_text(Tok::WordQuote);
    expect(Tok::Eol);
    before_statements_ = false;
    stamp();
    b_.add_prompt(PropType::Menu, std::move(text), nullptr);
  }
  statements();
}

void Parser::statements() {
  for (;;) {
    statement_word_.clear();
    bool in_choice = blocks_.back().in_choice;
    switch (peek().kind) {
      case Tok::End:
        if (blocks_.size() > 1) syntax_error();
        return;
      case Tok::Config:
        config_entry(false);
        break;
      case Tok::Comment:
        comment_entry();
        break;
      case Tok::If:
        if_entry();
        break;
      case Tok::EndMenu:
      case Tok::EndChoice:
      case Tok::EndIf:
        if (blocks_.size() == 1) syntax_error();
        end_statement();
        break;
      case Tok::MenuConfig:
        if (in_choice) syntax_error();
        config_entry(true);
        break;
      case Tok::Choice:
        if (in_choice) syntax_error();
        choice_entry();
        break;
      case Tok::Menu:
        if (in_choice) syntax_error();
        menu_entry();
        break;
      case Tok::Source:
        if (in_choice) syntax_error();
        source_statement();
        break;
      case Tok::Word:
        if (in_choice) syntax_error();
        assignment();
        break;
      default:
        syntax_error();
    }
  }
}

// endmenu / endchoice / endif: closes the innermost block, which must be of that kind and
// must have been opened in the same file.
void Parser::end_statement() {
  Tok end = take().kind;
  expect(Tok::Eol);
  const Block& block = blocks_.back();
  std::string got = block_word(end);
  std::string want = block.kind == BlockKind::Menu     ? "menu"
                     : block.kind == BlockKind::Choice ? "choice"
                                                       : "if";
  if (block.kind == BlockKind::Choice) current_choice_ = nullptr;
  if (got != want) error("unexpected '" + got + "' within " + want + " block");
  const Menu* open = b_.current_menu();
  const SourceFile* here_file = lexer_.current_file();
  if (!open->file || !here_file || open->file->name != here_file->name) {
    throw KconfigError(here() + ": '" + got + "' in different file than '" + want + "'\n" +
                       located(open->file, open->line, "location of the '" + want + "'"));
  }
  b_.end_children();
  blocks_.pop_back();
  nesting_ -= 2;
}

void Parser::config_entry(bool menuconfig) {
  take();
  Symbol* sym = tree_.lookup(take_text(Tok::Word), 0);
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
    case Tok::Prompt: {
      take();
      std::string text = take_text(Tok::WordQuote);
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_prompt(PropType::Prompt, std::move(text), cond);
      return true;
    }
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
      Symbol* target = tree_.lookup(take_text(Tok::Word), 0);
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
    case Tok::Prompt: {
      take();
      std::string text = take_text(Tok::WordQuote);
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_prompt(PropType::Prompt, std::move(text), cond);
      return true;
    }
    case Tok::Bool:
      if (!legacy_choices_) {  // 6.11+: "bool" needs a prompt and changes no type
        take();
        std::string text = take_text(Tok::WordQuote);
        Expr* cond = if_expr();
        expect(Tok::Eol);
        stamp();
        b_.add_prompt(PropType::Prompt, std::move(text), cond);
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
      Symbol* target = tree_.lookup(take_text(Tok::Word), 0);
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

void Parser::comment_entry() {
  take();
  std::string text = take_text(Tok::WordQuote);
  expect(Tok::Eol);
  stamp();
  b_.add_entry(nullptr);
  b_.add_prompt(PropType::Comment, std::move(text), nullptr);
  while (at(Tok::Depends)) depends();
}

void Parser::menu_entry() {
  take();
  std::string text = take_text(Tok::WordQuote);
  expect(Tok::Eol);
  stamp();
  Menu* entry = b_.add_entry(nullptr);
  b_.add_prompt(PropType::Menu, std::move(text), nullptr);
  for (;;) {
    if (at(Tok::Depends)) {
      depends();
    } else if (at(Tok::Visible)) {
      take();
      Expr* cond = if_expr();
      expect(Tok::Eol);
      stamp();
      b_.add_visibility(cond);
    } else {
      break;
    }
  }
  open_block(BlockKind::Menu, entry, false);
}

// 'if EXPR' opens an entry without symbol or prompt whose dependency the finalizer hands down
// to everything inside.
void Parser::if_entry() {
  take();
  Expr* cond = expr();
  expect(Tok::Eol);
  stamp();
  Menu* entry = b_.add_entry(nullptr);
  b_.add_dep(cond);
  open_block(BlockKind::If, entry, blocks_.back().in_choice);
}

void Parser::source_statement() {
  take();
  std::string name = take_text(Tok::WordQuote);
  expect(Tok::Eol);
  lexer_.push_source(name);
}

void Parser::assignment() {
  statement_word_ = take().text;
  VarFlavor flavor;
  switch (peek().kind) {
    case Tok::Equal:
      flavor = VarFlavor::Recursive;
      break;
    case Tok::ColonEqual:
      flavor = VarFlavor::Simple;
      break;
    case Tok::PlusEqual:
      flavor = VarFlavor::Append;
      break;
    default:
      syntax_error();
  }
  take();
  std::string value = at(Tok::AssignVal) ? take().text : std::string();
  expect(Tok::Eol);
  pp_.assign(statement_word_, value, flavor);
}

// "help" EOL, then the text. The lexer switches to help mode before reading anything else.
void Parser::help(Menu* entry) {
  take();
  expect(Tok::Eol);
  lexer_.start_help();
  std::string text = take_text(Tok::HelpText);
  if (entry->has_help)
    warn("warning: '" + symbol_label(entry->sym) +
         "' defined with more than one help text -- only the last one will be used");
  if (is_blank_text(text))
    warn("warning: '" + symbol_label(entry->sym) + "' defined with blank help text");
  b_.set_help(std::move(text));
}

void Parser::depends() {
  take();
  expect(Tok::On);
  Expr* dep = expr();
  expect(Tok::Eol);
  stamp();
  b_.add_dep(dep);
}

// ---------------------------------------------------------------------------------------------
// Expressions: '||' binds loosest, then '&&'; '!' applies to the operand right after it;
// comparisons only join two symbols.

Expr* Parser::if_expr() {
  if (!at(Tok::If)) return nullptr;
  take();
  return expr();
}

Expr* Parser::expr() {
  Expr* left = and_expr();
  while (at(Tok::Or)) {
    take();
    left = tree_.new_expr(ExprKind::Or, left, and_expr());
  }
  return left;
}

Expr* Parser::and_expr() {
  Expr* left = unary_expr();
  while (at(Tok::And)) {
    take();
    left = tree_.new_expr(ExprKind::And, left, unary_expr());
  }
  return left;
}

Expr* Parser::unary_expr() {
  Nest depth(nesting_);
  if (nesting_ > kMaxParserDepth) memory_exhausted();
  if (at(Tok::Not)) {
    take();
    return tree_.new_expr(ExprKind::Not, unary_expr());
  }
  if (at(Tok::OpenParen)) {
    take();
    Expr* inner = expr();
    expect(Tok::CloseParen);
    return inner;
  }
  Symbol* left = symbol();
  ExprKind cmp;
  switch (peek().kind) {
    case Tok::Equal:
      cmp = ExprKind::Equal;
      break;
    case Tok::Unequal:
      cmp = ExprKind::Unequal;
      break;
    case Tok::Less:
      cmp = ExprKind::Less;
      break;
    case Tok::LessEqual:
      cmp = ExprKind::LessEqual;
      break;
    case Tok::Greater:
      cmp = ExprKind::Greater;
      break;
    case Tok::GreaterEqual:
      cmp = ExprKind::GreaterEqual;
      break;
    default:
      return tree_.new_sym_expr(left);
  }
  take();
  Symbol* right = symbol();
  return tree_.new_cmp_expr(cmp, left, right);
}

// A bare word names a config symbol; a quoted string is a constant.
Symbol* Parser::symbol() {
  if (at(Tok::Word)) return tree_.lookup(take().text, 0);
  if (at(Tok::WordQuote)) return tree_.lookup(take().text, kSymConst);
  syntax_error();
}

}  // namespace rk::kconfig
