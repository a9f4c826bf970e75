#include "kconfig/confdata.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/file.hpp"

namespace rk::kconfig {

namespace {

constexpr std::string_view kPrefix = "CONFIG_";

bool file_readable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) &&
         ::access(path.c_str(), R_OK) == 0;
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (name.empty() || name[0] == '/' || dir.empty() || dir == ".") return name;
  return dir + "/" + name;
}

// Splits text into lines the way conf's line reader returns them: each with its '\n' except
// possibly the last.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

class Reader {
 public:
  Reader(Config& config, const Environment& env) : c_(config), env_(env) {}

  bool load(const FileAccess& files, const std::string* name) {
    const Tree& t = c_.tree();
    std::optional<std::string> text;
    std::string used_name;
    if (name) {
      used_name = *name;
      text = files.read(used_name);
    } else {
      used_name = config_name();
      text = files.read(used_name);
      if (!text) {
        c_.set_changed(true);
        for (const std::string& candidate : defconfig_candidates()) {
          text = files.read(candidate);
          if (text) {
            used_name = candidate;
            message("using defaults found in " + candidate);
            break;
          }
        }
      }
    }
    if (!text) return false;
    filename_ = used_name;
    reset_user_values();
    parse(*text);
    (void)t;
    return true;
  }

  int warnings() const { return warnings_; }

 private:
  std::string config_name() const {
    auto it = env_.find("KCONFIG_CONFIG");
    return it != env_.end() ? it->second : ".config";
  }

  // Where conf looks for starting values when there is no .config yet.
  std::vector<std::string> defconfig_candidates() {
    std::vector<std::string> out;
    const Tree& t = c_.tree();
    if (uses_defconfig_list(t.dialect)) {
      Symbol* list = t.defconfig_list;
      if (!list) return out;
      for (const Property* p = list->props; p; p = p->next) {
        if (p->type != PropType::Default) continue;
        if (c_.eval(p->visible) == Tristate::No || p->expr->kind != ExprKind::Symbol) continue;
        c_.calc(p->expr->lsym);
        out.push_back(c_.string_value(p->expr->lsym));
      }
      return out;
    }
    auto it = env_.find("KCONFIG_DEFCONFIG_LIST");
    if (it == env_.end()) return out;
    std::istringstream words(it->second);
    for (std::string w; words >> w;) out.push_back(w);
    return out;
  }

  void message(const std::string& msg) {
    if (Diagnostics* d = diag()) d->emit("#\n# " + msg + "\n#");
  }

  Diagnostics* diag() { return diag_; }

  void warn(const std::string& msg) {
    ++warnings_;
    if (diag_) diag_->emit(filename_ + ":" + std::to_string(lineno_) + ":warning: " + msg);
  }

  void reset_user_values() {
    const bool new_rules = c_.tree().dialect.new_choice_rules();
    for (Symbol* s : c_.tree().symbols_in_hash_order()) {
      SymbolState& st = c_.state(s);
      st.flags &= ~kDefUser;
      if (!new_rules) {
        c_.invalidate(s);
        if (s->is_choice()) st.flags |= kDefUser;
      }
      st.user_val.clear();
      st.user_tri = Tristate::No;
      st.user_choice = nullptr;
    }
    if (new_rules)
      for (Symbol* s : c_.tree().symbols_in_hash_order()) c_.invalidate(s);
  }

  // conf_set_sym_val: returns false when the value is rejected.
  bool set_value(Symbol* sym, std::string val) {
    SymbolState& st = c_.state(sym);
    switch (sym->type) {
      case SymbolType::Tristate:
        if (!val.empty() && val[0] == 'm') {
          st.user_tri = Tristate::Mod;
          st.flags |= kDefUser;
          return true;
        }
        [[fallthrough]];
      case SymbolType::Bool:
        if (!val.empty() && val[0] == 'y') {
          st.user_tri = Tristate::Yes;
          st.flags |= kDefUser;
          return true;
        }
        if (!val.empty() && val[0] == 'n') {
          st.user_tri = Tristate::No;
          st.flags |= kDefUser;
          return true;
        }
        warn("symbol value '" + val + "' invalid for " + sym->name);
        return false;
      case SymbolType::String: {
        if (val.empty() || val[0] != '"') return true;  // conf silently ignores it
        std::string out;
        size_t i = 1;
        bool closed = false;
        while (i < val.size()) {
          char ch = val[i];
          if (ch == '"') {
            closed = true;
            break;
          }
          if (ch == '\\') {
            ++i;
            if (i < val.size()) out += val[i];
            ++i;
            continue;
          }
          out += ch;
          ++i;
        }
        if (!closed) {
          warn("invalid string found");
          return false;
        }
        st.user_val = std::move(out);
        st.flags |= kDefUser;
        return true;
      }
      case SymbolType::Int:
      case SymbolType::Hex:
        if (string_valid_for(sym->type, val)) {
          st.user_val = std::move(val);
          st.flags |= kDefUser;
          return true;
        }
        warn("symbol value '" + val + "' invalid for " + sym->name);
        return false;
      default:
        return true;
    }
  }

  void note_choice_member(Symbol* sym) {
    const Tree& t = c_.tree();
    if (t.dialect.new_choice_rules()) {
      // The member named last in the input gets the highest priority.
      const Symbol* cs = sym->choice_sym;
      if (!cs) return;
      auto& order = c_.choice_order(cs);
      for (auto it = order.begin(); it != order.end(); ++it)
        if (*it == sym) {
          order.erase(it);
          break;
        }
      order.insert(order.begin(), sym);
      return;
    }
    if (!sym->is_choice_value()) return;
    Symbol* cs = sym->choice_sym;
    SymbolState& cst = c_.state(cs);
    Tristate v = c_.st(sym).user_tri;
    switch (v) {
      case Tristate::No:
        break;
      case Tristate::Mod:
        if (cst.user_tri == Tristate::Yes) {
          warn(sym->name + " creates inconsistent choice state");
          cst.flags &= ~kDefUser;
        }
        break;
      case Tristate::Yes:
        if (cst.user_tri != Tristate::No) warn("override: " + sym->name + " changes choice state");
        cst.user_choice = sym;
        break;
    }
    cst.user_tri = tri_or(cst.user_tri, v);
  }

  void parse(const std::string& text) {
    const Tree& t = c_.tree();
    const bool lenient = lenient_config_reader(t.dialect);
    const bool strict_comments = strict_config_comments(t.dialect);
    const bool warn_unknown = env_.count("KCONFIG_WARN_UNKNOWN_SYMBOLS") > 0;
    lineno_ = 0;
    for (std::string_view raw : split_lines(text)) {
      ++lineno_;
      std::string line(raw);
      if (!lenient) {
        if (!line.empty() && line.back() == '\n') {
          line.pop_back();
          if (!line.empty() && line.back() == '\r') line.pop_back();
        }
        if (line.empty()) continue;
      }
      std::string name, val;
      const bool is_hash = !line.empty() && line[0] == '#';
      if (is_hash) {
        if (strict_comments && (line.size() < 2 || line[1] != ' ')) continue;
        if (line.size() < 2 + kPrefix.size() || line.compare(2, kPrefix.size(), kPrefix) != 0)
          continue;
        size_t start = 2 + kPrefix.size();
        size_t sp = line.find(' ', start);
        if (sp == std::string::npos) continue;
        name = line.substr(start, sp - start);
        std::string rest = line.substr(sp + 1);
        if (!lenient ? rest != "is not set" : rest.compare(0, 10, "is not set") != 0) continue;
        val = "n";
      } else if (line.compare(0, kPrefix.size(), kPrefix) == 0) {
        size_t eq = line.find('=', kPrefix.size());
        if (eq == std::string::npos) {
          if (!lenient) warn("unexpected data: " + line);
          continue;
        }
        name = line.substr(kPrefix.size(), eq - kPrefix.size());
        val = line.substr(eq + 1);
        if (lenient) {
          size_t nl = val.find('\n');
          if (nl != std::string::npos) {
            val.erase(nl);
            if (!val.empty() && val.back() == '\r') val.pop_back();
          }
        }
      } else {
        if (!lenient) {
          warn("unexpected data: " + line);
        } else if (!line.empty() && line[0] != '\r' && line[0] != '\n') {
          warn("unexpected data: " + line.substr(0, line.find_first_of("\r\n")));
        }
        continue;
      }

      Symbol* sym = t.find(name);
      if (sym && sym->is_const()) sym = nullptr;
      if (!sym) {
        if (warn_unknown && strict_comments) warn("unknown symbol: " + name);
        c_.set_changed(true);
        continue;
      }
      if (c_.st(sym).flags & kDefUser) warn("override: reassigning to symbol " + sym->name);
      if (is_hash && legacy_is_not_set(t.dialect)) {
        if (sym->type == SymbolType::Bool || sym->type == SymbolType::Tristate) {
          c_.state(sym).user_tri = Tristate::No;
          c_.state(sym).flags |= kDefUser;
        }
      } else if (!set_value(sym, val)) {
        continue;
      }
      note_choice_member(sym);
    }
  }

  Config& c_;
  const Environment& env_;
  Diagnostics* diag_ = nullptr;
  std::string filename_;
  int lineno_ = 0;
  int warnings_ = 0;

 public:
  void set_diag(Diagnostics* d) { diag_ = d; }
};

}  // namespace

std::optional<std::string> FileAccess::read(const std::string& name) const {
  if (read_override) return read_override(name);
  std::string path = resolve(name);
  if (path.empty()) return std::nullopt;
  return base::read_file_if_readable(path);
}

std::string FileAccess::resolve(const std::string& name) const {
  std::string direct = join_path(cwd, name);
  if (file_readable(direct)) return direct;
  if (!name.empty() && name[0] != '/' && !srctree.empty()) {
    std::string alt = join_path(cwd, srctree + "/" + name);
    if (srctree[0] == '/') alt = srctree + "/" + name;
    if (file_readable(alt)) return alt;
  }
  return {};
}

bool read_config_values(Config& config, const FileAccess& files, const std::string* name,
                        const Environment& env) {
  Reader r(config, env);
  r.set_diag(config.diagnostics());
  return r.load(files, name);
}

bool read_config(Config& config, const FileAccess& files, const std::string* name,
                 const Environment& env) {
  const Tree& t = config.tree();
  const bool new_rules = t.dialect.new_choice_rules();
  config.set_changed(false);
  Reader r(config, env);
  r.set_diag(config.diagnostics());
  if (!r.load(files, name)) {
    config.calc(t.modules);
    return false;
  }
  config.calc(t.modules);

  int unsaved = 0;
  for (Symbol* s : t.symbols_in_hash_order()) {
    config.calc(s);
    if (s->is_choice() || (!new_rules && (s->flags & kSymNoWrite))) continue;
    const SymbolState& st = config.st(s);
    const bool has = st.flags & kDefUser;
    if (has && (st.flags & kWrite)) {
      if (s->type == SymbolType::Bool || s->type == SymbolType::Tristate) {
        if (st.user_tri == st.tri) continue;
      } else if (st.val == st.user_val) {
        continue;
      }
    } else if (!has && !(st.flags & kWrite)) {
      continue;
    }
    ++unsaved;
  }
  if (new_rules) {
    if (unsaved || r.warnings()) config.set_changed(true);
    return true;
  }
  for (Symbol* s : t.symbols_in_hash_order()) {
    SymbolState& st = config.state(s);
    if (!(st.flags & kDefUser) || s->is_choice_value()) continue;
    // Values for symbols that are not visible are forgotten, so they show up as new again.
    if (st.visible == Tristate::No && !unsaved) st.flags &= ~kDefUser;
    if (s->type == SymbolType::String || s->type == SymbolType::Int || s->type == SymbolType::Hex) {
      std::string v = st.user_val;
      if (config.string_within_range(s, v)) continue;
      config.state(s).flags &= ~kDefUser;
      config.invalidate(s);
      ++unsaved;
    }
  }
  if (r.warnings() || unsaved) config.set_changed(true);
  return true;
}

std::string config_heading(const Tree& tree) {
  std::string text = tree.root.prompt ? tree.root.prompt->text : std::string();
  return "#\n# Automatically generated file; DO NOT EDIT.\n# " + text + "\n#\n";
}

static void print_symbol(std::string& out, Config& c, const Symbol* sym) {
  if (sym->type == SymbolType::Unknown) return;
  std::string val = c.string_value(sym);
  if ((sym->type == SymbolType::Bool || sym->type == SymbolType::Tristate) && val[0] == 'n') {
    out += "# CONFIG_" + sym->name + " is not set\n";
    return;
  }
  if (sym->type == SymbolType::String) val = escape_string_value(val);
  out += "CONFIG_" + sym->name + "=" + val + "\n";
}

std::string render_config(Config& c) {
  const Tree& t = c.tree();
  const bool old_end_markers = legacy_end_of_menu_markers(t.dialect);
  std::string out = config_heading(t);
  if (!c.changed()) c.clear_all_valid();

  bool need_newline = false;
  auto end_marker = [&](const Menu* m) {
    if (old_end_markers) {
      if (!m->sym && c.menu_visible(m) && m != &t.root) {
        out += "# end of " + (m->prompt ? m->prompt->text : m->sym->name) + "\n";
        need_newline = true;
      }
    } else if (!m->sym && c.menu_visible(m) && m != &t.root && m->prompt->type == PropType::Menu) {
      out += "# end of " + m->prompt->text + "\n";
      need_newline = true;
    }
  };

  const Menu* m = t.root.list;
  while (m) {
    Symbol* sym = m->sym;
    if (!sym) {
      if (c.menu_visible(m)) {
        out += "\n#\n# " + m->prompt->text + "\n#\n";
        need_newline = false;
      }
    } else if (!sym->is_choice() && !(c.st(sym).flags & kWritten)) {
      c.calc(sym);
      if (c.st(sym).flags & kWrite) {
        if (need_newline) {
          out += "\n";
          need_newline = false;
        }
        c.state(sym).flags |= kWritten;
        print_symbol(out, c, sym);
      }
    }
    if (m->list) {
      m = m->list;
      continue;
    }
    if (!old_end_markers) end_marker(m);
    // Climb until a sibling is found, closing every menu left on the way.
    while (m && !m->next) {
      m = m->parent;
      if (m) end_marker(m);
    }
    if (m) m = m->next;
  }
  for (Symbol* s : t.symbols_in_hash_order()) c.state(s).flags &= ~kWritten;
  return out;
}

std::string render_defconfig(Config& c) {
  const Tree& t = c.tree();
  const bool new_rules = t.dialect.new_choice_rules();
  std::string out;
  c.clear_all_valid();
  const Menu* m = t.root.list;
  while (m) {
    Symbol* sym = m->sym;
    if (!sym) {
      if (!new_rules) c.menu_visible(m);
    } else if (!sym->is_choice()) {
      c.calc(sym);
      bool print = false;
      if (c.st(sym).flags & kWrite) {
        c.state(sym).flags &= ~kWrite;
        print = c.is_changeable(sym) && c.string_value(sym) != c.string_default(sym);
        if (print && sym->is_choice_value() && sym->choice_sym) {
          Symbol* cs = sym->choice_sym;
          Symbol* ds = c.choice_default(cs);
          if (new_rules) {
            if (sym == ds && c.tri(sym) == Tristate::Yes) print = false;
          } else if (!cs->is_optional() && sym == ds && sym->type == SymbolType::Bool &&
                     c.tri(sym) == Tristate::Yes) {
            print = false;
          }
        }
      }
      if (print) print_symbol(out, c, sym);
    }
    if (m->list) {
      m = m->list;
    } else if (m->next) {
      m = m->next;
    } else {
      while ((m = m->parent))
        if (m->next) {
          m = m->next;
          break;
        }
    }
  }
  return out;
}

std::string escape_string_value(std::string_view in) {
  std::string out = "\"";
  for (char ch : in) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

}  // namespace rk::kconfig
