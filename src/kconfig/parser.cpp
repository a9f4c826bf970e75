#include "kconfig/parser.hpp"

#include <cstring>

#include "kconfig/dialect.hpp"

namespace rk::kconfig {

namespace {

const char* block_word(Tok end) {
  return end == Tok::EndMenu ? "menu" : end == Tok::EndChoice ? "choice" : "if";
}

std::string symbol_label(const Symbol* sym) {
  return sym->has_name ? sym->name : "<choice>";
}

bool is_blank_text(const std::string& text) {
  for (char c : text) {
    if (c == '\0') break;
    if (c != ' ' && c != '\f' && c != '\n' && c != '\r' && c != '\t' && c != '\v') return false;
  }
  return true;
}

}  // namespace

Parser::Parser(Tree& tree, Lexer& lexer, Preprocessor& pp, TreeBuilder& builder, Diagnostics& diag)
    : tree_(tree),
      lexer_(lexer),
      pp_(pp),
      b_(builder),
      diag_(diag),
      legacy_choices_(legacy_choices(tree.dialect)),
      has_option_(has_option_statement(tree.dialect)) {}

std::string Parser::located(const SourceFile* file, int line, const std::string& msg) {
  return (file ? file->name : std::string("<none>")) + ":" + std::to_string(line) + ": " + msg;
}

// ---------------------------------------------------------------------------------------------
// Tokens and messages

std::string Parser::take_text(Tok kind) {
  if (!at(kind)) syntax_error();
  return take().text;
}

Symbol* Parser::take_symbol(Tok kind, uint32_t flags) {
  if (!at(kind)) syntax_error();
  return tree_.lookup(take().text, flags);
}

// Entries and properties get the file being read and the line of the statement's first token.
void Parser::stamp() {
  lexer_.check_warning_budget();
  b_.set_location(lexer_.current_file(), lexer_.statement_line());
}

std::string Parser::here() const {
  return lexer_.message_file() + ":" + std::to_string(lexer_.statement_line());
}

void Parser::error(const std::string& msg) {
  throw KconfigError(here() + ": " + msg);
}

void Parser::warn(const std::string& msg) {
  diag_.emit(here() + ": " + msg);
}

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
  // conf reports every open block; past a few, one line says where the nesting starts and how
  // deep it goes (a 10000-deep `if` would otherwise print 5000 lines).
  constexpr size_t kListed = 10;
  if (blocks_.size() > kListed + 1) {
    const Menu* outer = blocks_[1].entry;
    return "\n" + located(outer->file, outer->line,
                          "missing end statement for this entry and the " +
                              std::to_string(blocks_.size() - 2) +
                              " blocks (if/menu/choice) nested inside it; blocks may nest " +
                              std::to_string(kMaxDepth / 2) + " deep");
  }
  for (size_t i = blocks_.size(); i-- > 1;)
    msg += "\n" + located(blocks_[i].entry->file, blocks_[i].entry->line,
                          "missing end statement for this entry");
  return msg;
}

// bison gives up when its stack is full, and pops (reporting) every open block on the way out.
// conf does not count this as an error and goes on with the truncated tree; we stop instead.
// Our depth estimate is close to, not exactly, bison's.
void Parser::memory_exhausted() {
  throw KconfigError(bison_message("memory exhausted") + missing_ends());
}

void Parser::open_block(BlockKind kind, Menu* entry, bool in_choice) {
  b_.begin_children();
  blocks_.push_back({kind, entry, in_choice});
  nesting_ += 2;
  if (nesting_ > kMaxDepth) memory_exhausted();
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

}  // namespace rk::kconfig
