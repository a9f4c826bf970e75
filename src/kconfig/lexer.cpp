#include "kconfig/lexer.hpp"

#include "kconfig/front_end_rules.hpp"

namespace rk::kconfig {

namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

size_t end_of_line(const std::string& s, size_t pos) {
  size_t eol = s.find('\n', pos);
  return eol == std::string::npos ? s.size() : eol;
}

// The width of a run of blanks, with tabs advancing to the next multiple of 8.
int indentation(std::string_view blanks) {
  int width = 0;
  for (char c : blanks) width = c == '\t' ? (width & ~7) + 8 : width + 1;
  return width;
}

}  // namespace

Lexer::Lexer(const Dialect& dialect, SourceStack& files, Diagnostics& diag, size_t max_warnings)
    : dialect_(dialect),
      files_(files),
      diag_(diag),
      warnings_base_(diag.lines().size()),
      max_warnings_(max_warnings) {}

void Lexer::check_warning_budget() const {
  if (diag_.lines().size() - warnings_base_ > max_warnings_)
    throw KconfigError("more than " + std::to_string(max_warnings_) +
                       " warnings while parsing; giving up");
}

const SourceFile* Lexer::current_file() const {
  return top_closed_ ? nullptr : files_.top().file;
}

std::string Lexer::message_file() const {
  const SourceFile* f = legacy_file_tracking(dialect_) ? stmt_file_ : current_file();
  return f ? f->name : std::string("<none>");
}

std::string_view Lexer::macro_file() const {
  const SourceFile* f = current_file();
  return f ? std::string_view(f->name) : std::string_view("<none>");
}

int Lexer::macro_line() const {
  return files_.top().line;
}

void Lexer::warn(std::string_view file, int line, const std::string& msg) {
  diag_.emit(std::string(file) + ":" + std::to_string(line) + ":warning: " + msg);
  check_warning_budget();
}

void Lexer::next(Token& out) {
  check_warning_budget();
  for (;;) {
    out.text.clear();
    Tok kind = lex_one(out.text);
    if (prev_ == Tok::Eol || prev_ == Tok::HelpText) {
      // An end-of-line after an end-of-line ends no statement.
      if (kind == Tok::Eol) continue;
      stmt_line_ = files_.top().line;
      stmt_file_ = current_file();
    }
    if (prev2_ == Tok::Eol && prev_ == Tok::Word &&
        (kind == Tok::Equal || kind == Tok::ColonEqual || kind == Tok::PlusEqual))
      mode_ = Mode::AssignValue;
    prev2_ = prev_;
    prev_ = kind;
    out.kind = kind;
    return;
  }
}

Tok Lexer::lex_one(std::string& text) {
  if (ended_) return Tok::End;
  switch (mode_) {
    case Mode::AssignValue:
      return lex_assign_value(text);
    case Mode::Help:
      return lex_help(text);
    case Mode::Initial:
      break;
  }
  return lex_initial(text);
}

// End of the current file: back to the includer (which sees an end-of-line), or the end.
Tok Lexer::end_of_file() {
  mode_ = Mode::Initial;
  if (prev_ != Tok::Eol && prev_ != Tok::HelpText)
    warn(macro_file(), files_.top().line, "no new line at end of file");
  if (files_.pop()) return Tok::Eol;
  if (legacy_file_tracking(dialect_) && !top_closed_) {
    top_closed_ = true;
    return Tok::Eol;
  }
  ended_ = true;
  return Tok::End;
}

Tok Lexer::lex_initial(std::string& text) {
  for (;;) {
    SourceBuffer& b = files_.top();
    const std::string& s = b.text;
    const size_t size = s.size();
    // Blanks and comments, the most common things between tokens.
    size_t pos = b.pos;
    while (pos < size && is_blank(s[pos])) ++pos;
    if (pos < size && s[pos] == '#') pos = end_of_line(s, pos);
    b.pos = pos;
    if (pos >= size) return end_of_file();
    char c = s[pos];
    char c2 = pos + 1 < size ? s[pos + 1] : '\0';
    auto op = [&](Tok kind, size_t len) {
      b.pos += len;
      return kind;
    };
    switch (c) {
      case '\n':
        ++b.pos;
        ++b.line;
        return Tok::Eol;
      case '\\':
        if (c2 == '\n') {  // continuation line
          b.pos += 2;
          ++b.line;
          continue;
        }
        break;
      case '"':
      case '\'':
        ++b.pos;
        return lex_string(c, text);
      case '|':
        if (c2 == '|') return op(Tok::Or, 2);
        break;
      case '&':
        if (c2 == '&') return op(Tok::And, 2);
        break;
      case '=':
        return op(Tok::Equal, 1);
      case '!':
        return c2 == '=' ? op(Tok::Unequal, 2) : op(Tok::Not, 1);
      case '<':
        return c2 == '=' ? op(Tok::LessEqual, 2) : op(Tok::Less, 1);
      case '>':
        return c2 == '=' ? op(Tok::GreaterEqual, 2) : op(Tok::Greater, 1);
      case '(':
        return op(Tok::OpenParen, 1);
      case ')':
        return op(Tok::CloseParen, 1);
      case ':':
        if (c2 == '=') return op(Tok::ColonEqual, 2);
        break;
      case '+':
        if (c2 == '=') return op(Tok::PlusEqual, 2);
        break;
      default:
        if (is_word_char(c) || c == '$') {
          Tok kind;
          if (lex_word(kind, text)) return kind;
          continue;
        }
        break;
    }
    warn(macro_file(), b.line, std::string("ignoring unsupported character '") + c + "'");
    ++b.pos;
  }
}

// A run of word characters is a keyword or a word. When the run continues with '$', flex's
// longest match picks the macro rule instead: the word is expanded (references may reach
// further along the line) and what it expands to is one word, whatever it contains; an empty
// expansion is no token at all.
bool Lexer::lex_word(Tok& kind, std::string& text) {
  SourceBuffer& b = files_.top();
  const std::string& s = b.text;
  size_t start = b.pos;
  size_t plain_end = start;
  while (plain_end < s.size() && is_word_char(s[plain_end])) ++plain_end;
  if (plain_end >= s.size() || s[plain_end] != '$') {
    b.pos = plain_end;
    std::string_view w(s.data() + start, plain_end - start);
    kind = keyword(w, dialect_);
    if (kind == Tok::Word) text.assign(w);
    return true;
  }
  std::string_view line(s.data() + start, end_of_line(s, start) - start);
  size_t used = 0;
  std::string expanded = pp_->expand_token(line, used);
  files_.top().pos = start + used;
  if (expanded.empty()) return false;
  kind = Tok::Word;
  text = std::move(expanded);
  return true;
}

// After the opening quote. Backslash escapes the next character, the other quote character is
// literal, "$(...)" is expanded (and must close on this line). A string still open at the end
// of the line ends there with a warning; at the end of the file, silently.
Tok Lexer::lex_string(char quote, std::string& text) {
  for (;;) {
    SourceBuffer& b = files_.top();
    const std::string& s = b.text;
    if (b.pos >= s.size()) return Tok::WordQuote;
    char c = s[b.pos];
    if (c == '$') {
      std::string_view line(s.data() + b.pos, end_of_line(s, b.pos) - b.pos);
      size_t used = 1;
      text += pp_->expand_dollar(line, used);
      files_.top().pos += used;
      continue;
    }
    if (c == '\\') {
      if (b.pos + 1 < s.size() && s[b.pos + 1] != '\n') {
        text += s[b.pos + 1];
        b.pos += 2;
      } else {
        b.pos += 1;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      ++b.pos;
      if (c == quote) return Tok::WordQuote;
      text += c;
      continue;
    }
    if (c == '\n') {
      warn(message_file(), stmt_line_, "multi-line strings not supported");
      return Tok::WordQuote;
    }
    size_t end = b.pos;
    while (end < s.size() && s[end] != '$' && s[end] != '\\' && s[end] != '"' && s[end] != '\'' &&
           s[end] != '\n')
      ++end;
    text.append(s, b.pos, end - b.pos);
    b.pos = end;
  }
}

// The raw text after "NAME =": leading blanks skipped, everything else up to the end of the
// line kept (trailing blanks and '#' included; no continuation lines).
Tok Lexer::lex_assign_value(std::string& text) {
  for (;;) {
    SourceBuffer& b = files_.top();
    const std::string& s = b.text;
    if (b.pos >= s.size()) return end_of_file();
    char c = s[b.pos];
    if (c == '\n') {
      ++b.pos;
      ++b.line;
      mode_ = Mode::Initial;
      return Tok::Eol;
    }
    if (is_blank(c)) {
      ++b.pos;
      continue;
    }
    size_t eol = end_of_line(s, b.pos);
    text.assign(s, b.pos, eol - b.pos);
    b.pos = eol;
    return Tok::AssignVal;
  }
}

void Lexer::start_help() {
  first_indent_ = last_indent_ = 0;
  mode_ = Mode::Help;
}

// The help text: the first text line's indentation is the margin; deeper indentation is kept as
// spaces, trailing blanks are dropped, blank lines stay. The text ends before a line indented
// less than the margin, or at a newline followed by a line starting in column 0 (that newline
// is not part of the text), or at the end of the file.
Tok Lexer::lex_help(std::string& text) {
  SourceBuffer& b = files_.top();
  const std::string& s = b.text;
  const size_t size = s.size();
  size_t pos = b.pos;
  int line = b.line;
  for (;;) {
    if (pos >= size) break;
    char c = s[pos];
    if (is_blank(c) || c == '\n') {
      size_t end = pos;
      while (end < size && is_blank(s[end])) ++end;
      if (end < size && s[end] == '\n') {
        bool next_line_unindented = end + 1 < size && !is_blank(s[end + 1]) && s[end + 1] != '\n';
        pos = end + 1;
        ++line;
        if (next_line_unindented) break;
        text += '\n';
        continue;
      }
      int indent = indentation(std::string_view(s).substr(pos, end - pos));
      pos = end;
      last_indent_ = indent;
      if (first_indent_) {
        if (indent < first_indent_) break;
        text.append(static_cast<size_t>(indent - first_indent_), ' ');
      }
      continue;
    }
    size_t eol = end_of_line(s, pos);
    size_t end = eol;
    while (end > pos && is_blank(s[end - 1])) --end;
    text.append(s, pos, end - pos);
    pos = eol;
    if (!first_indent_) first_indent_ = last_indent_;
  }
  b.pos = pos;
  b.line = line;
  mode_ = Mode::Initial;
  return Tok::HelpText;
}

void Lexer::push_source(const std::string& name) {
  files_.push(name, message_file(), stmt_line_);
}

}  // namespace rk::kconfig
