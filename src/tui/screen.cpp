#include "tui/screen.hpp"

#include <curses.h>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tui/text.hpp"

namespace rk::tui {

namespace {

constexpr int kEsc = 27;

// --- terminal lifetime ----------------------------------------------------------------------

volatile std::sig_atomic_t g_curses_active = 0;

void restore_and_reraise(int sig) {
  if (g_curses_active) {
    endwin();
    g_curses_active = 0;
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// initscr() ... endwin(), also when an exception leaves the screen or a signal kills it.
class Terminal {
 public:
  Terminal() {
    initscr();
    g_curses_active = 1;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE})
      old_[sig] = std::signal(sig, restore_and_reraise);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
  }
  ~Terminal() {
    if (g_curses_active) endwin();
    g_curses_active = 0;
    for (auto& [sig, handler] : old_) std::signal(sig, handler);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

 private:
  std::map<int, void (*)(int)> old_;
};

bool is_enter(int ch) {
  return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

std::string short_fragment(const std::string& path) {
  return path.rfind("configs/", 0) == 0 ? path.substr(8) : path;
}

void put(int y, int x, const std::string& text, attr_t attr = A_NORMAL) {
  if (attr) attron(attr);
  mvaddnstr(y, x, text.c_str(), static_cast<int>(text.size()));
  if (attr) attroff(attr);
}

struct Level {
  Node* page;
  int cursor = 0;
  int top = 0;
};

class Screen {
 public:
  Screen(Model& m, const ScreenOptions& o) : m_(m), focus_(o.focus) {
    stack_.push_back({m_.root()});
    if (focus_ >= m_.variant_count()) focus_ = 0;
  }

  int run() {
    for (;;) {
      draw();
      int ch = getch();
      if (ch == ERR) continue;
      if (ch != KEY_RESIZE) message_.clear();
      if (!handle(ch)) return 0;
    }
  }

 private:
  // --- layout -------------------------------------------------------------------------------
  int width() const { return COLS; }
  int height() const { return LINES; }
  int list_top() const { return 3; }
  int list_height() const { return std::max(1, height() - 5); }
  int cell_width() const {
    int n = static_cast<int>(m_.variant_count());
    return std::clamp((width() - 30) / std::max(n, 1), 4, 14);
  }
  int prompt_width() const {
    return std::max(8, width() - 4 - static_cast<int>(m_.variant_count()) * cell_width());
  }

  Level& level() { return stack_.back(); }

  std::string page_title() {
    std::string t = " " + m_.workspace().matrix().project_name + " menuconfig";
    for (size_t i = 1; i < stack_.size(); ++i) t += " > " + stack_[i].page->prompt;
    return t;
  }

  std::string apply_to() {
    std::string out;
    bool any = false;
    for (size_t v = 0; v < m_.variant_count(); ++v)
      if (m_.selected(v)) {
        out += (any ? " " : "") + m_.variant(v).name;
        any = true;
      }
    return any ? out : "all";
  }

  std::string row_text(const Row& r) {
    Node* n = r.node;
    auto marks = m_.marks(n);
    bool pending = false, fragment = false;
    std::string cells;
    int cw = cell_width();
    for (size_t v = 0; v < m_.variant_count(); ++v) {
      Cell c = m_.cell(n, v);
      std::string t;
      if (c.state != CellState::Shown) {
        t = "-";
      } else {
        t = c.text;
        if (n->kind == NodeKind::Symbol && !c.changeable) t = "(" + t + ")";
        if (n->kind == NodeKind::Symbol && m_.type(n) == kconfig::SymbolType::String)
          t = "\"" + c.text + "\"";
        if (c.pending)
          t += "!";
        else if (marks[v])
          t += "*";
      }
      pending = pending || c.pending;
      fragment = fragment || marks[v].has_value();
      cells += fit(t, static_cast<size_t>(cw - 1)) + " ";
    }
    std::string prompt(static_cast<size_t>(r.depth) * 2, ' ');
    switch (n->kind) {
      case NodeKind::Comment:
        prompt += "*** " + n->prompt + " ***";
        break;
      case NodeKind::Choice:
        prompt += n->prompt + " --->";
        break;
      case NodeKind::Menu:
        prompt += n->prompt + " --->";
        break;
      default:
        prompt += n->prompt + (n->page ? " --->" : "");
    }
    std::string mark = std::string(1, pending ? '!' : ' ') + (fragment ? '*' : ' ') + " ";
    return mark + fit(prompt, static_cast<size_t>(prompt_width())) + " " + cells;
  }

  std::string status_text(Node* n) {
    if (!n) return "";
    std::string s;
    if (!n->name.empty()) s = "CONFIG_" + n->name;
    if (n->kind == NodeKind::Symbol) s += std::string(" ") + kconfig::symbol_type_name(m_.type(n));
    auto marks = m_.marks(n);
    std::map<std::string, std::string> by_fragment;  // fragment -> column numbers
    for (size_t v = 0; v < marks.size(); ++v)
      if (marks[v]) {
        std::string& cols = by_fragment[short_fragment(marks[v]->fragment)];
        cols += (cols.empty() ? "" : ",") + std::to_string(v + 1);
      }
    if (!by_fragment.empty()) {
      s += " | set by";
      for (const auto& [f, cols] : by_fragment)
        s += " " + f + (cols.size() == marks.size() * 2 - 1 ? "" : " [" + cols + "]");
    }
    if (s.empty())
      s = n->kind == NodeKind::Menu ? "menu" : n->kind == NodeKind::Choice ? "choice" : "";
    return " " + s;
  }

  // --- drawing ------------------------------------------------------------------------------
  void draw() {
    erase();
    int w = width(), h = height();
    if (w < 40 || h < 10) {
      put(0, 0, fit("Terminal too small (need 40x10)", static_cast<size_t>(w)));
      refresh();
      return;
    }
    put(0, 0, fit(page_title(), static_cast<size_t>(w)), A_REVERSE);
    // Headers: column number and branch, then arch.
    int cw = cell_width();
    int x0 = 4 + prompt_width();
    put(1, 0, fit(" Columns: 1-9 select, Tab focus", static_cast<size_t>(x0)));
    put(2, 0, fit(" Changes apply to: " + apply_to(), static_cast<size_t>(x0)));
    for (size_t v = 0; v < m_.variant_count(); ++v) {
      const auto& var = m_.variant(v);
      std::string branch = m_.workspace().matrix().branch_of(var).name;
      std::string arch = m_.workspace().matrix().arch_of(var).name;
      attr_t a = (m_.selected(v) ? A_REVERSE : A_NORMAL) | (v == focus_ ? A_BOLD | A_UNDERLINE : 0);
      std::string top = (v < 9 ? std::to_string(v + 1) : " ") + (v == focus_ ? ">" : ":") + branch;
      put(1, x0 + static_cast<int>(v) * cw, fit(top, static_cast<size_t>(cw - 1)), a);
      put(2, x0 + static_cast<int>(v) * cw, fit(arch, static_cast<size_t>(cw - 1)), a);
    }
    rows_ = m_.rows(level().page);
    clamp_cursor();
    Level& l = level();
    int lh = list_height();
    for (int i = 0; i < lh && l.top + i < static_cast<int>(rows_.size()); ++i) {
      const Row& r = rows_[static_cast<size_t>(l.top + i)];
      bool cur = l.top + i == l.cursor;
      put(list_top() + i, 0, fit(row_text(r), static_cast<size_t>(w)), cur ? A_REVERSE : A_NORMAL);
    }
    if (rows_.empty()) put(list_top(), 0, fit("   (nothing visible here; z shows all)", size_t(w)));
    Node* n = current();
    put(h - 2, 0, fit(status_text(n), static_cast<size_t>(w)), A_REVERSE);
    std::string bottom =
        message_.empty()
            ? std::string(
                  " Enter/Esc menus  y/m/n/Spc set  / search  ? help  d diff  s save  q quit")
            : " " + message_;
    put(h - 1, 0, fit(bottom, static_cast<size_t>(w - 1)));
    refresh();
  }

  void clamp_cursor() {
    Level& l = level();
    int n = static_cast<int>(rows_.size());
    l.cursor = std::clamp(l.cursor, 0, std::max(0, n - 1));
    int lh = list_height();
    if (l.cursor < l.top) l.top = l.cursor;
    if (l.cursor >= l.top + lh) l.top = l.cursor - lh + 1;
    l.top = std::clamp(l.top, 0, std::max(0, n - lh));
  }

  Node* current() {
    Level& l = level();
    if (rows_.empty() || l.cursor >= static_cast<int>(rows_.size())) return nullptr;
    return rows_[static_cast<size_t>(l.cursor)].node;
  }

  // --- dialogs ------------------------------------------------------------------------------
  // A scrollable text screen; returns when dismissed.
  void pager(const std::string& title, const std::string& text) {
    int top = 0;
    for (;;) {
      int w = width(), h = height();
      std::vector<std::string> lines = wrap_lines(text, static_cast<size_t>(std::max(10, w - 2)));
      int body = std::max(1, h - 2);
      top = std::clamp(top, 0, std::max(0, static_cast<int>(lines.size()) - body));
      erase();
      put(0, 0, fit(" " + title, static_cast<size_t>(w)), A_REVERSE);
      for (int i = 0; i < body && top + i < static_cast<int>(lines.size()); ++i)
        put(1 + i, 0, fit(" " + lines[static_cast<size_t>(top + i)], static_cast<size_t>(w)));
      std::string more =
          static_cast<int>(lines.size()) > body
              ? fmt::format(" lines {}-{} of {}", top + 1,
                            std::min<int>(top + body, static_cast<int>(lines.size())), lines.size())
              : "";
      put(h - 1, 0,
          fit(" Esc/q/Enter: back  arrows, PgUp/PgDn: scroll" + more, static_cast<size_t>(w - 1)),
          A_REVERSE);
      refresh();
      int ch = getch();
      switch (ch) {
        case KEY_UP:
          --top;
          break;
        case KEY_DOWN:
          ++top;
          break;
        case KEY_PPAGE:
          top -= body;
          break;
        case KEY_NPAGE:
        case ' ':
          top += body;
          break;
        case KEY_HOME:
          top = 0;
          break;
        case KEY_END:
          top = static_cast<int>(lines.size());
          break;
        case KEY_RESIZE:
          break;
        case ERR:
          break;
        default:
          if (ch == kEsc || ch == 'q' || is_enter(ch) || ch == KEY_LEFT || ch == '?' || ch == 'x' ||
              ch == 'e')
            return;
      }
    }
  }

  // A line of input on the bottom row; nullopt when cancelled with Esc.
  std::optional<std::string> ask(const std::string& prompt, std::string value) {
    curs_set(1);
    for (;;) {
      int w = width(), h = height();
      std::string shown = " " + prompt + value;
      move(h - 1, 0);
      clrtoeol();
      put(h - 1, 0, fit(shown, static_cast<size_t>(w - 1)));
      move(h - 1, std::min(w - 1, static_cast<int>(text_width(shown))));
      refresh();
      int ch = getch();
      if (ch == kEsc) {
        curs_set(0);
        return std::nullopt;
      }
      if (is_enter(ch)) {
        curs_set(0);
        return value;
      }
      if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        while (!value.empty() && (static_cast<unsigned char>(value.back()) & 0xC0) == 0x80)
          value.pop_back();
        if (!value.empty()) value.pop_back();
      } else if (ch == KEY_RESIZE) {
        draw();
      } else if (ch >= 32 && ch < 256 && ch != 127) {
        value += static_cast<char>(ch);
      }
    }
  }

  // --- actions ------------------------------------------------------------------------------
  bool handle(int ch) {
    Node* n = current();
    Level& l = level();
    int lh = list_height();
    switch (ch) {
      case KEY_UP:
        --l.cursor;
        return true;
      case KEY_DOWN:
        ++l.cursor;
        return true;
      case KEY_PPAGE:
        l.cursor -= lh;
        l.top -= lh;
        return true;
      case KEY_NPAGE:
        l.cursor += lh;
        l.top += lh;
        return true;
      case KEY_HOME:
        l.cursor = 0;
        return true;
      case KEY_END:
        l.cursor = static_cast<int>(rows_.size());
        return true;
      case KEY_RESIZE:
        return true;
      case '\t':
        focus_ = (focus_ + 1) % m_.variant_count();
        return true;
      case KEY_BTAB:
        focus_ = (focus_ + m_.variant_count() - 1) % m_.variant_count();
        return true;
      case '0':
        m_.clear_selection();
        return true;
      case 'z':
        m_.show_all = !m_.show_all;
        message_ = m_.show_all ? "Showing every entry" : "Showing visible entries";
        return true;
      case '/':
        search();
        return true;
      case '?':
      case 'h':
        if (n) help(n);
        return true;
      case 'd':
        pager("Pending fragment diff", m_.diff_text());
        return true;
      case 's':
        save();
        return true;
      case 'q':
        return !confirm_quit();
      case 'y':
      case 'm':
      case 'n':
        if (n) change(n, std::string(1, static_cast<char>(ch)));
        return true;
      case ' ':
        if (n) show_result(m_.cycle(n));
        return true;
      case KEY_LEFT:
      case KEY_BACKSPACE:
      case 127:
      case kEsc:
        if (stack_.size() > 1) {
          stack_.pop_back();
          return true;
        }
        return !confirm_quit();
      default:
        break;
    }
    if (ch >= '1' && ch <= '9') {
      size_t v = static_cast<size_t>(ch - '1');
      if (v < m_.variant_count()) m_.toggle_column(v);
      return true;
    }
    if ((is_enter(ch) || ch == KEY_RIGHT) && n) {
      if (n->page) {
        stack_.push_back({n});
      } else if (n->kind == NodeKind::Symbol) {
        kconfig::SymbolType t = m_.type(n);
        if (t == kconfig::SymbolType::Bool || t == kconfig::SymbolType::Tristate) {
          if (is_enter(ch)) show_result(m_.cycle(n));
        } else {
          Cell c = m_.cell(n, focus_);
          auto v = ask(fmt::format("CONFIG_{} ({}) = ", n->name, kconfig::symbol_type_name(t)),
                       c.state == CellState::Shown ? c.text : "");
          if (v) change(n, *v);
        }
      }
    }
    return true;
  }

  void change(Node* n, const std::string& value) {
    if (n->kind != NodeKind::Symbol) {
      message_ = "Not a symbol: pick a row with a value";
      return;
    }
    show_result(m_.set_value(n, value));
  }

  void show_result(const ChangeResult& r) {
    if (r.outcomes.empty()) {
      message_ = "Nothing to change here";
      return;
    }
    size_t landed = r.landed_count();
    // Refusals where the symbol exists deserve an explanation.
    std::map<std::string, std::vector<size_t>> by_reason;
    for (const auto& o : r.outcomes)
      if (!o.landed && o.reason != "absent in this tree") by_reason[o.reason].push_back(o.variant);
    message_ = fmt::format("CONFIG_{}={}: set in {} of {} ({:.1f} ms)", r.symbol, r.value, landed,
                           r.outcomes.size(), r.ms);
    if (by_reason.empty()) return;
    std::string text =
        fmt::format("CONFIG_{}={} cannot be set in every selected variant.\n\n", r.symbol, r.value);
    for (const auto& o : r.outcomes)
      text += fmt::format("  {:<14} {}\n", m_.variant(o.variant).name,
                          o.landed ? "set" : "NOT SET: " + o.reason);
    Node* n = m_.find_symbol(r.symbol);
    for (const auto& [reason, vs] : by_reason) {
      std::string names;
      for (size_t v : vs) names += (names.empty() ? "" : ", ") + m_.variant(v).name;
      text += fmt::format("\nWhy not in {}:\n", names);
      if (!n) continue;
      try {
        for (const auto& line : m_.diagnose(n, vs.front(), r.value)) text += "  " + line + "\n";
      } catch (const std::exception& e) {
        text += std::string("  (diagnosis failed: ") + e.what() + ")\n";
      }
    }
    pager(fmt::format("CONFIG_{}={}: not set in {} of {}", r.symbol, r.value,
                      r.outcomes.size() - landed, r.outcomes.size()),
          text);
  }

  void help(Node* n) {
    std::string text;
    size_t w = static_cast<size_t>(std::max(40, width() - 2));
    try {
      text = m_.help_text(n, focus_, w);
      // Why values cannot be set, per variant where the symbol is stuck.
      if (n->kind == NodeKind::Symbol) {
        kconfig::SymbolType t = m_.type(n);
        bool tri = t == kconfig::SymbolType::Bool || t == kconfig::SymbolType::Tristate;
        std::map<std::string, std::string> seen;  // diagnosis -> variants
        for (size_t v = 0; v < m_.variant_count(); ++v) {
          if (!n->menus[v]) continue;
          Cell c = m_.cell(n, v);
          if (c.state == CellState::Shown && c.changeable) continue;
          std::string want = tri ? (c.text == "y" ? "n" : "y") : c.text;
          if (!tri && c.state == CellState::Shown) continue;
          if (!tri && want.empty()) want = t == kconfig::SymbolType::String ? "x" : "1";
          std::string d;
          for (const auto& line : m_.diagnose(n, v, want)) d += "  " + line + "\n";
          d = fmt::format("Why CONFIG_{}={} cannot be set in ", n->name, want) + "%V:\n" + d;
          std::string& vs = seen[d];
          vs += (vs.empty() ? "" : ", ") + m_.variant(v).name;
        }
        for (const auto& [d, vs] : seen) {
          std::string s = d;
          s.replace(s.find("%V"), 2, vs);
          text += "\n" + s;
        }
      }
    } catch (const std::exception& e) {
      text += std::string("\n(explain failed: ") + e.what() + ")\n";
    }
    pager(fmt::format("Help: {} ({})", n->name.empty() ? n->prompt : "CONFIG_" + n->name,
                      m_.variant(focus_).name),
          text);
  }

  void search() {
    auto q = ask("Search (symbol name or prompt): ", "");
    if (!q || q->empty()) return;
    std::vector<Node*> found = m_.search(*q);
    if (found.empty()) {
      message_ = "No match for '" + *q + "'";
      return;
    }
    int cursor = 0, top = 0;
    for (;;) {
      int w = width(), h = height();
      int body = std::max(1, h - 2);
      cursor = std::clamp(cursor, 0, static_cast<int>(found.size()) - 1);
      if (cursor < top) top = cursor;
      if (cursor >= top + body) top = cursor - body + 1;
      erase();
      put(0, 0, fit(fmt::format(" Search '{}': {} result(s)", *q, found.size()), size_t(w)),
          A_REVERSE);
      for (int i = 0; i < body && top + i < static_cast<int>(found.size()); ++i) {
        Node* n = found[static_cast<size_t>(top + i)];
        std::string where;
        for (Node* p : m_.path_to(n))
          if (p != m_.root()) where += (where.empty() ? "" : " > ") + p->prompt;
        std::string label = n->name.empty() ? "" : n->name + "  ";
        std::string line =
            fmt::format(" {}{}  ({})", label, n->prompt, where.empty() ? "top" : where);
        put(1 + i, 0, fit(line, size_t(w)), top + i == cursor ? A_REVERSE : A_NORMAL);
      }
      put(h - 1, 0, fit(" Enter: jump  Esc: back", size_t(w - 1)), A_REVERSE);
      refresh();
      int ch = getch();
      if (ch == KEY_UP)
        --cursor;
      else if (ch == KEY_DOWN)
        ++cursor;
      else if (ch == KEY_PPAGE)
        cursor -= body;
      else if (ch == KEY_NPAGE)
        cursor += body;
      else if (ch == kEsc || ch == 'q' || ch == KEY_LEFT)
        return;
      else if (is_enter(ch)) {
        jump(found[static_cast<size_t>(cursor)]);
        return;
      }
    }
  }

  void jump(Node* n) {
    bool any = false;
    for (size_t v = 0; v < m_.variant_count() && !any; ++v) any = m_.visible(n, v);
    for (Node* p = n->parent; p && any; p = p->parent)
      if (p->kind != NodeKind::Root) {
        bool shown = false;
        for (size_t v = 0; v < m_.variant_count() && !shown; ++v) shown = m_.visible(p, v);
        any = shown;
      }
    if (!any && !m_.show_all) {
      m_.show_all = true;
      message_ = "Not visible in any variant: showing every entry (z hides them again)";
    }
    stack_.clear();
    for (Node* p : m_.path_to(n)) stack_.push_back({p});
    rows_ = m_.rows(level().page);
    for (size_t i = 0; i < rows_.size(); ++i)
      if (rows_[i].node == n) {
        level().cursor = static_cast<int>(i);
        level().top = std::max(0, static_cast<int>(i) - list_height() / 2);
      }
  }

  bool save() {
    if (!m_.dirty()) {
      message_ = "Nothing to save";
      return true;
    }
    variants::EditPlan plan = m_.plan();
    std::set<std::string> files;
    for (const auto& [path, text] : plan.texts) files.insert(short_fragment(path));
    std::vector<std::string> problems;
    try {
      problems = m_.save();
    } catch (const std::exception& e) {
      problems.push_back(e.what());
    }
    if (!problems.empty()) {
      std::string text = "Nothing was written:\n\n";
      for (const auto& p : problems) text += "  " + p + "\n";
      pager("Save refused", text);
      return false;
    }
    std::string list;
    for (const auto& f : files) list += (list.empty() ? "" : ", ") + f;
    message_ = "Saved " + list;
    return true;
  }

  // True when the program should end.
  bool confirm_quit() {
    if (!m_.dirty()) return true;
    for (;;) {
      int w = width(), h = height();
      move(h - 1, 0);
      clrtoeol();
      put(h - 1, 0,
          fit(" Save the pending changes to the fragments? (y)es (n)o, Esc: stay",
              static_cast<size_t>(w - 1)),
          A_BOLD);
      refresh();
      int ch = getch();
      if (ch == kEsc || ch == 'c') return false;
      if (ch == 'y' || ch == 'Y') return save();
      if (ch == 'n' || ch == 'N') return true;
      if (ch == KEY_RESIZE) draw();
    }
  }

  Model& m_;
  size_t focus_;
  std::vector<Level> stack_;
  std::vector<Row> rows_;
  std::string message_;
};

}  // namespace

int run_screen(Model& model, const ScreenOptions& options) {
  Terminal term;
  Screen screen(model, options);
  return screen.run();
}

}  // namespace rk::tui
