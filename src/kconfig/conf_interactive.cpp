#include "kconfig/conf_interactive.hpp"

#include <cctype>
#include <istream>
#include <ostream>

#include "kconfig/confdata.hpp"
#include "kconfig/menu_help.hpp"

namespace rk::kconfig {

namespace {

// conf exits from deep inside its question loop; this unwinds to run_conf_questions.
struct ExitRequest {
  int code;
};

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string spaces(int n) {
  return n > 0 ? std::string(static_cast<size_t>(n), ' ') : "";
}

// printf("%*c", width, c)
std::string padded(int width, char c) {
  return spaces(width - 1) + c;
}

class Asker {
 public:
  Asker(Config& c, AskMode mode, Console& io)
      : c_(c),
        t_(c.tree()),
        mode_(mode),
        io_(io),
        new_rules_(t_.dialect.new_choice_rules()),
        no_value_at_eof_(reports_no_value_at_eof(t_.dialect)) {}

  int run() {
    try {
      if (mode_ == AskMode::OldAskConfig) {
        root_entry_ = &t_.root;
        conf(&t_.root);
        mode_ = AskMode::OldConfig;
      }
      do {
        conf_cnt_ = 0;
        check_conf(&t_.root);
      } while (conf_cnt_);
    } catch (const ExitRequest& e) {
      out().flush();
      return e.code;
    }
    out().flush();
    return 0;
  }

 private:
  std::ostream& out() { return *io_.out; }
  std::ostream& err() { return *io_.err; }

  bool has_value(const Symbol* s) const { return c_.has_user_value(s); }
  bool changeable(const Symbol* s) const { return c_.is_changeable(s); }
  std::string value(const Symbol* s) { return conf_string_value(c_, s); }

  static const char* prompt_of(const Menu* m) {
    if (m->prompt) return m->prompt->text.c_str();
    if (m->sym && m->sym->has_name) return m->sym->name.c_str();
    return nullptr;
  }

  void print_help(const Menu* menu) { out() << "\n" << menu_help(c_, menu) << "\n"; }

  // xfgets: one line of at most 4095 characters (conf's buffer), echoed when not on a terminal.
  // At end of input the line keeps its previous contents.
  void xfgets() {
    std::string buf;
    if (io_.in) {
      while (buf.size() < 4095) {
        int ch = io_.in->get();
        if (ch == std::char_traits<char>::eof()) {
          eof_ = true;
          break;
        }
        buf += static_cast<char>(ch);
        if (ch == '\n') break;
      }
    } else {
      eof_ = true;
    }
    if (buf.empty()) {
      ++empty_reads_;
      err() << "\nError in reading or end of file.\n";
      err().flush();
    } else {
      line_ = buf;
    }
    if (io_.echo_input) out() << line_;
  }

  void strip() {
    size_t b = 0;
    while (b < line_.size() && is_space(line_[b])) ++b;
    size_t e = line_.size();
    while (e > b && is_space(line_[e - 1])) --e;
    line_ = line_.substr(b, e - b);
  }

  // 6.12 stops when a new int/hex symbol gets no valid value once input has ended.
  [[noreturn]] void no_value_at_eof(const Symbol* sym) {
    err() << "\nerror: no value for new symbol '" << (sym->has_name ? sym->name : "<choice>")
          << "' at end of input\n";
    throw ExitRequest{1};
  }

  // Earlier releases ask again forever once input has ended without a usable answer; stop
  // after the same question met the end of input a few times.
  void give_up_at_eof(const Symbol* sym, int reads_before) {
    if (empty_reads_ - reads_before >= 3) no_value_at_eof(sym);
  }

  bool conf_askvalue(const Symbol* sym, const std::string& def) {
    if (!has_value(sym)) out() << "(NEW) ";
    line_ = "\n";
    if (!changeable(sym)) {
      out() << def << "\n";
      return false;
    }
    if ((mode_ == AskMode::OldConfig || mode_ == AskMode::SyncConfig) && has_value(sym)) {
      out() << def << "\n";
      return false;
    }
    out().flush();
    xfgets();
    return true;
  }

  void conf_string(const Menu* menu) {
    Symbol* sym = menu->sym;
    const int reads = empty_reads_;
    for (;;) {
      out() << spaces(indent_ - 1) << menu->prompt->text << " ";
      out() << "(" << sym->name << ") ";
      std::string cur = value(sym);
      out() << "[" << cur << "] ";
      if (!conf_askvalue(sym, cur)) return;
      bool have_def = true;
      std::string def = cur;
      if (line_[0] == '\n') {
        // keep the current value
      } else if (line_[0] == '?' && line_.size() > 1 && line_[1] == '\n') {
        print_help(menu);
        have_def = false;
      } else {
        def = line_.substr(0, line_.size() - 1);
      }
      if (have_def && c_.set_string(sym, def)) return;
      if (no_value_at_eof_ && eof_) no_value_at_eof(sym);
      give_up_at_eof(sym, reads);
    }
  }

  void conf_sym(const Menu* menu) {
    Symbol* sym = menu->sym;
    const int reads = empty_reads_;
    for (;;) {
      out() << spaces(indent_ - 1) << menu->prompt->text << " ";
      if (sym->has_name) out() << "(" << sym->name << ") ";
      Tristate oldval = c_.tri(sym);
      out() << '[' << (oldval == Tristate::No ? 'N' : oldval == Tristate::Mod ? 'M' : 'Y');
      if (oldval != Tristate::No && c_.tristate_within_range(sym, Tristate::No)) out() << "/n";
      if (oldval != Tristate::Mod && c_.tristate_within_range(sym, Tristate::Mod)) out() << "/m";
      if (oldval != Tristate::Yes && c_.tristate_within_range(sym, Tristate::Yes)) out() << "/y";
      out() << "/?] ";
      if (!conf_askvalue(sym, value(sym))) return;
      strip();
      Tristate newval = oldval;
      bool help = false;
      const std::string rest = line_.empty() ? "" : line_.substr(1);
      switch (line_.empty() ? '\0' : line_[0]) {
        case 'n':
        case 'N':
          newval = Tristate::No;
          if (rest.empty() || rest == "o") break;
          give_up_at_eof(sym, reads);
          continue;
        case 'm':
        case 'M':
          newval = Tristate::Mod;
          if (rest.empty()) break;
          give_up_at_eof(sym, reads);
          continue;
        case 'y':
        case 'Y':
          newval = Tristate::Yes;
          if (rest.empty() || rest == "es") break;
          give_up_at_eof(sym, reads);
          continue;
        case '\0':
          newval = oldval;
          break;
        case '?':
          help = true;
          break;
        default:
          give_up_at_eof(sym, reads);
          continue;
      }
      if (!help && c_.set_tristate(sym, newval)) return;
      print_help(menu);
      give_up_at_eof(sym, reads);
    }
  }

  // Lists the visible members of a choice; returns how many, with `def` the number of the
  // current selection (0 when none).
  int list_choice_members(const Menu* menu, const Symbol* def_sym, int& def, bool& is_new) {
    int cnt = 0;
    def = 0;
    for (const Menu* child = menu->list; child; child = child->next) {
      if (!c_.menu_visible(child)) continue;
      if (!child->sym) {
        const char* p = prompt_of(child);
        out() << padded(indent_, '*') << " " << (p ? p : "") << "\n";
        continue;
      }
      ++cnt;
      if (child->sym == def_sym) {
        def = cnt;
        out() << padded(indent_, '>');
      } else {
        out() << padded(indent_, ' ');
      }
      const char* p = prompt_of(child);
      out() << " " << cnt << ". " << (p ? p : "");
      if (new_rules_ || child->sym->has_name) out() << " (" << child->sym->name << ")";
      if (!has_value(child->sym)) {
        if (new_rules_) is_new = true;
        out() << " (NEW)";
      }
      out() << "\n";
    }
    return cnt;
  }

  // The member chosen by answer number `cnt`, or null.
  const Menu* nth_member(const Menu* menu, int cnt) {
    for (const Menu* child = menu->list; child; child = child->next) {
      if (!child->sym || !c_.menu_visible(child)) continue;
      if (!--cnt) return child;
    }
    return nullptr;
  }

  // Reads the choice answer into `cnt`; false to show the menu again.
  bool ask_choice_number(const Menu* menu, bool is_new, int def, int& cnt) {
    if ((mode_ == AskMode::OldConfig || mode_ == AskMode::SyncConfig) && !is_new) {
      cnt = def;
      out() << cnt << "\n";
      return true;
    }
    out().flush();
    xfgets();
    strip();
    if (!line_.empty() && line_[0] == '?') {
      print_help(menu);
      return false;
    }
    if (line_.empty()) {
      cnt = def;
    } else if (std::isdigit(static_cast<unsigned char>(line_[0]))) {
      long v = 0;
      for (size_t i = 0; i < line_.size() && std::isdigit(static_cast<unsigned char>(line_[i]));
           ++i)
        v = v < 100000000 ? v * 10 + (line_[i] - '0') : v;
      cnt = static_cast<int>(v);
    } else {
      return false;
    }
    return true;
  }

  void conf_choice(const Menu* menu) {
    Symbol* sym = menu->sym;
    const int reads = empty_reads_;
    bool is_new = false;
    if (!new_rules_) {
      // Before 6.11 a choice has a mode of its own: n hides it, m asks the members one by one.
      is_new = !has_value(sym);
      if (changeable(sym)) {
        conf_sym(menu);
        c_.calc(sym);
        if (c_.tri(sym) != Tristate::Yes) return;
      } else {
        if (c_.tri(sym) == Tristate::No) return;
        if (c_.tri(sym) == Tristate::Mod) {
          const char* p = prompt_of(menu);
          out() << spaces(indent_ - 1) << (p ? p : "") << "\n";
          return;
        }
      }
    }
    for (;;) {
      const char* p = prompt_of(menu);
      out() << spaces(indent_ - 1) << (p ? p : "") << "\n";
      Symbol* def_sym = new_rules_ ? c_.calc_choice_block(menu) : c_.st(sym).chosen;
      line_.clear();
      int def = 0;
      int cnt = list_choice_members(menu, def_sym, def, is_new);
      out() << spaces(indent_ - 1) << "choice";
      if (cnt == 1) {
        out() << "[1]: 1\n";
      } else {
        out() << "[1-" << cnt << "?]: ";
        if (!ask_choice_number(menu, is_new, def, cnt)) {
          give_up_at_eof(sym, reads);
          continue;
        }
      }
      const Menu* child = nth_member(menu, cnt);
      if (!child) {
        give_up_at_eof(sym, reads);
        if ((mode_ == AskMode::OldConfig || mode_ == AskMode::SyncConfig) && !is_new)
          no_value_at_eof(sym);  // conf would repeat the same answer forever
        continue;
      }
      if (!line_.empty() && line_.back() == '?') {
        print_help(child);
        give_up_at_eof(sym, reads);
        continue;
      }
      if (new_rules_) {
        c_.choice_set_value(menu, child->sym);
        return;
      }
      c_.set_tristate(child->sym, Tristate::Yes);
      for (const Menu* m = child->list; m; m = m->next) {
        indent_ += 2;
        conf(m);
        indent_ -= 2;
      }
      return;
    }
  }

  void conf(const Menu* menu) {
    if (!c_.menu_visible(menu)) return;
    Symbol* sym = menu->sym;
    const Property* prop = menu->prompt;
    if (prop) {
      bool banner = prop->type == PropType::Comment;
      if (prop->type == PropType::Menu) {
        // Except in oldaskconfig, only menus that contain new symbols are shown.
        if (mode_ != AskMode::OldAskConfig && root_entry_ != menu) {
          check_conf(menu);
          return;
        }
        banner = true;
      }
      if (banner) {
        if (const char* p = prompt_of(menu))
          out() << padded(indent_, '*') << "\n"
                << padded(indent_, '*') << " " << p << "\n"
                << padded(indent_, '*') << "\n";
      }
    }
    if (sym) {
      if (sym->is_choice()) {
        conf_choice(menu);
        if (new_rules_ || c_.tri(sym) != Tristate::Mod) return;
      } else if (sym->type == SymbolType::Int || sym->type == SymbolType::Hex ||
                 sym->type == SymbolType::String) {
        conf_string(menu);
      } else {
        conf_sym(menu);
      }
      indent_ += 2;
    }
    for (const Menu* child = menu->list; child; child = child->next) conf(child);
    if (sym) indent_ -= 2;
  }

  const Menu* parent_menu(const Menu* menu) const {
    for (; menu != &t_.root; menu = menu->parent)
      if (menu->prompt && menu->prompt->type == PropType::Menu) break;
    return menu;
  }

  void print_for_listconfig(const Symbol* sym) {
    if (sym->type == SymbolType::Unknown) return;
    std::string val = value(sym);
    if (sym->type == SymbolType::String) val = escape_string_value(val);
    out() << "CONFIG_" << sym->name << "=" << val << "\n";
  }

  void check_conf(const Menu* menu) {
    if (!c_.menu_visible(menu)) return;
    Symbol* sym = menu->sym;
    if (sym && !has_value(sym) &&
        (changeable(sym) || (!new_rules_ && sym->is_choice() && c_.tri(sym) == Tristate::Yes))) {
      switch (mode_) {
        case AskMode::ListNewConfig:
          if (sym->has_name) print_for_listconfig(sym);
          break;
        case AskMode::HelpNewConfig:
          out() << "-----\n";
          print_help(menu);
          out() << "-----\n";
          break;
        default:
          if (!conf_cnt_++) out() << "*\n* Restart config...\n*\n";
          root_entry_ = parent_menu(menu);
          conf(root_entry_);
          break;
      }
    }
    for (const Menu* child = menu->list; child; child = child->next) check_conf(child);
  }

  Config& c_;
  const Tree& t_;
  AskMode mode_;
  Console& io_;
  const bool new_rules_;
  const bool no_value_at_eof_;
  int indent_ = 1;
  int conf_cnt_ = 0;
  const Menu* root_entry_ = nullptr;
  std::string line_;
  bool eof_ = false;     // conf's feof(stdin)
  int empty_reads_ = 0;  // reads that met the end of input
};

}  // namespace

int run_conf_questions(Config& config, AskMode mode, Console& console) {
  return Asker(config, mode, console).run();
}

}  // namespace rk::kconfig
