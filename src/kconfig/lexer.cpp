#include "kconfig/lexer.hpp"

#include <array>

#include "kconfig/dialect.hpp"

namespace rk::kconfig {

namespace {

// [A-Za-z0-9_-], the characters of words (flex's n class).
constexpr std::array<bool, 256> kWordChars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  return t;
}();

bool is_word_char(char c) {
  return kWordChars[static_cast<unsigned char>(c)];
}

// Characters that end a run of plain string text: a reference, an escape, a quote, the end
// of the line, and NUL (the buffer's end, or a NUL byte in the file).
constexpr std::array<bool, 256> kStringStops = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {'$', '\\', '"', '\'', '\n', '\0'}) t[c] = true;
  return t;
}();

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

size_t end_of_line(std::string_view s, size_t pos) {
  size_t eol = s.find('\n', pos);
  return eol == std::string_view::npos ? s.size() : eol;
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

void Lexer::too_many_warnings() const {
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

// The buffers end with a NUL byte, so the scanning loops below need no bounds checks: NUL is
// no blank, no word character, and stops string text (a NUL byte inside the file is told from
// the end by its position).
Tok Lexer::lex_initial(std::string& text) {
  for (;;) {
    SourceBuffer& b = files_.top();
    const char* p = b.storage.data();
    const size_t size = b.size;
    // Blanks and a comment, the most common things between tokens.
    size_t pos = b.pos;
    while (is_blank(p[pos])) ++pos;
    if (p[pos] == '#') pos = end_of_line(b.text(), pos);
    b.pos = pos;
    if (pos >= size) return end_of_file();
    const char c = p[pos];
    const char c2 = p[pos + 1];  // NUL at the end
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
  const char* p = b.storage.data();
  const size_t start = b.pos;
  size_t plain_end = start;
  while (is_word_char(p[plain_end])) ++plain_end;
  if (p[plain_end] != '$' || plain_end >= b.size) {
    b.pos = plain_end;
    std::string_view w(p + start, plain_end - start);
    kind = keyword(w, dialect_);
    if (kind == Tok::Word) text.assign(w);
    return true;
  }
  std::string_view s = b.text();
  std::string_view line = s.substr(start, end_of_line(s, start) - start);
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
    const char* p = b.storage.data();
    const size_t size = b.size;
    size_t pos = b.pos;
    // Plain text up to the next character of interest.
    size_t end = pos;
    while (!kStringStops[static_cast<unsigned char>(p[end])]) ++end;
    if (end >= size) {  // the end of the file ends the string
      text.append(p + pos, size - pos);
      b.pos = size;
      return Tok::WordQuote;
    }
    text.append(p + pos, end - pos);
    pos = b.pos = end;
    char c = p[pos];
    switch (c) {
      case '\0':  // a NUL byte in the file is text like any other
        text += c;
        ++b.pos;
        continue;
      case '$': {
        std::string_view s = b.text();
        std::string_view line = s.substr(pos, end_of_line(s, pos) - pos);
        size_t used = 1;
        text += pp_->expand_dollar(line, used);
        files_.top().pos += used;
        continue;
      }
      case '\\':
        if (pos + 1 < size && p[pos + 1] != '\n') {
          text += p[pos + 1];
          b.pos += 2;
        } else {
          b.pos += 1;
        }
        continue;
      case '"':
      case '\'':
        ++b.pos;
        if (c == quote) return Tok::WordQuote;
        text += c;
        continue;
      default:  // '\n'
        warn(message_file(), stmt_line_, "multi-line strings not supported");
        return Tok::WordQuote;
    }
  }
}

// The raw text after "NAME =": leading blanks skipped, everything else up to the end of the
// line kept (trailing blanks and '#' included; no continuation lines).
Tok Lexer::lex_assign_value(std::string& text) {
  for (;;) {
    SourceBuffer& b = files_.top();
    std::string_view s = b.text();
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
    text.assign(s.substr(b.pos, eol - b.pos));
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
  std::string_view s = b.text();
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
      int indent = indentation(s.substr(pos, end - pos));
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
    text.append(s.data() + pos, end - pos);
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
