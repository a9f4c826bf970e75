#include "kconfig/autoconf.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "base/file.hpp"
#include "kconfig/menu_help.hpp"

namespace rk::kconfig {

namespace {

std::string env_or(const Environment& env, const char* key, const char* fallback) {
  auto it = env.find(key);
  return it != env.end() ? it->second : fallback;
}

bool is_tristate_like(SymbolType t) {
  return t == SymbolType::Bool || t == SymbolType::Tristate;
}

// The previous auto.conf as conf_read_simple(name, S_DEF_AUTO) loads it.
class PreviousAutoconf {
 public:
  struct Value {
    bool set = false;
    Tristate tri = Tristate::No;
    std::string val;
  };

  PreviousAutoconf(Config& c, std::vector<std::string>& unknown)
      : c_(c),
        t_(c.tree()),
        unknown_(unknown),
        lenient_(lenient_config_reader(t_.dialect)),
        quoted_strings_(auto_conf_quotes_strings(t_.dialect)),
        values_(t_.symbol_count()) {}

  // Returns false when the file does not exist (nothing is reset then).
  bool load(const FileAccess& files, const std::string& name) {
    std::optional<std::string> text = files.read(name);
    if (!text) return false;
    name_ = name;
    if (lenient_) {
      // 5.10/6.1 forget every computed value while loading, and count choices as loaded.
      for (Symbol* s : t_.symbols_in_hash_order()) {
        c_.invalidate(s);
        if (s->is_choice()) values_[s->id].set = true;
      }
    }
    size_t pos = 0;
    int lineno = 0;
    while (pos < text->size()) {
      size_t nl = text->find('\n', pos);
      std::string line =
          text->substr(pos, nl == std::string::npos ? std::string::npos : nl + 1 - pos);
      pos = nl == std::string::npos ? text->size() : nl + 1;
      ++lineno;
      handle_line(line, lineno);
    }
    return true;
  }

  const Value& operator[](const Symbol* s) const { return values_[s->id]; }

 private:
  void warn(int lineno, const std::string& msg) {
    if (Diagnostics* d = c_.diagnostics())
      d->emit(name_ + ":" + std::to_string(lineno) + ":warning: " + msg);
  }

  static void chomp(std::string& s) {
    if (!s.empty() && s.back() == '\n') {
      s.pop_back();
      if (!s.empty() && s.back() == '\r') s.pop_back();
    }
  }

  void handle_line(std::string line, int lineno) {
    std::string name, val;
    if (!lenient_) {
      chomp(line);
      if (line.empty()) return;
    }
    if (!line.empty() && line[0] == '#') {
      if (line.size() < 2 || line[1] != ' ') return;
      if (line.compare(2, 7, "CONFIG_") != 0) return;
      size_t sp = line.find(' ', 9);
      if (sp == std::string::npos) return;
      std::string rest = line.substr(sp + 1);
      if (lenient_ ? rest.compare(0, 10, "is not set") != 0 : rest != "is not set") return;
      name = line.substr(9, sp - 9);
      val = "n";
    } else if (line.compare(0, 7, "CONFIG_") == 0) {
      size_t eq = line.find('=', 7);
      if (eq == std::string::npos) {
        if (!lenient_) warn(lineno, "unexpected data: " + line);
        return;
      }
      name = line.substr(7, eq - 7);
      val = line.substr(eq + 1);
      if (lenient_) chomp(val);
    } else {
      if (!lenient_) {
        warn(lineno, "unexpected data: " + line);
      } else if (!line.empty() && line[0] != '\r' && line[0] != '\n') {
        warn(lineno, "unexpected data: " + line.substr(0, line.find_first_of("\r\n")));
      }
      return;
    }
    Symbol* sym = t_.find(name);
    if (!sym || sym->is_const()) {
      // It was set before and no longer exists: Kbuild must see it changed.
      unknown_.push_back(name);
      return;
    }
    Value& v = values_[sym->id];
    if (v.set) warn(lineno, "override: reassigning to symbol " + sym->name);
    if (!set_value(sym, v, val)) return;
    if (lenient_ && sym->is_choice_value() && sym->choice_sym) {
      Value& cv = values_[sym->choice_sym->id];
      if (v.tri == Tristate::Mod && cv.tri == Tristate::Yes) {
        warn(lineno, sym->name + " creates inconsistent choice state");
        cv.set = false;
      } else if (v.tri == Tristate::Yes && cv.tri != Tristate::No) {
        warn(lineno, "override: " + sym->name + " changes choice state");
      }
      cv.tri = tri_or(cv.tri, v.tri);
    }
  }

  // conf_set_sym_val for S_DEF_AUTO: false when the value is rejected.
  bool set_value(const Symbol* sym, Value& v, std::string p) {
    switch (sym->type) {
      case SymbolType::Tristate:
      case SymbolType::Bool:
        if (sym->type == SymbolType::Tristate && !p.empty() && p[0] == 'm') {
          v.tri = Tristate::Mod;
        } else if (!p.empty() && p[0] == 'y') {
          v.tri = Tristate::Yes;
        } else if (!p.empty() && p[0] == 'n') {
          v.tri = Tristate::No;
        } else {
          return false;
        }
        v.set = true;
        return true;
      case SymbolType::String:
        if (quoted_strings_) {
          if (p.empty() || p[0] != '"') return true;
          std::string out;
          size_t i = 1;
          bool closed = false;
          for (; i < p.size(); ++i) {
            if (p[i] == '"') {
              closed = true;
              break;
            }
            if (p[i] == '\\') ++i;
            if (i < p.size()) out += p[i];
          }
          if (!closed) return false;
          p = out;
        }
        [[fallthrough]];
      case SymbolType::Int:
      case SymbolType::Hex:
        if (!string_valid_for(sym->type, p)) return false;
        v.val = p;
        v.set = true;
        return true;
      default:
        return true;
    }
  }

  Config& c_;
  const Tree& t_;
  std::vector<std::string>& unknown_;
  const bool lenient_;
  const bool quoted_strings_;
  std::vector<Value> values_;
  std::string name_;
};

// include/config/FOO_BAR, or include/config/foo/bar.h (see flat_dependency_files).
std::string dep_file(const std::string& prefix, const std::string& name, bool flat) {
  if (flat) return prefix + name;
  std::string out = prefix;
  for (char ch : name)
    out += ch == '_' ? '/' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out + ".h";
}

std::string heading(const Tree& t, bool c_style) {
  if (c_style && autoconf_h_heading_with_blank_lines(t.dialect))
    return "/*\n *\n * Automatically generated file; DO NOT EDIT.\n * " + t.mainmenu +
           "\n *\n */\n";
  if (c_style)
    return "/*\n * Automatically generated file; DO NOT EDIT.\n * " + t.mainmenu + "\n */\n";
  return "#\n# Automatically generated file; DO NOT EDIT.\n# " + t.mainmenu + "\n#\n";
}

std::string autoconf_cmd(const Tree& t, const std::string& autoconf_name) {
  std::string out;
  const AutoConfCmdLayout layout = auto_conf_cmd_layout(t.dialect);
  const auto& files = t.files();
  if (layout == AutoConfCmdLayout::k6_12) {
    out += "autoconfig := " + autoconf_name + "\n";
    out += "\ndeps_config := \\\n";
    for (const SourceFile& f : files) out += "\t" + f.name + " \\\n";
    out += "\n$(autoconfig): $(deps_config)\n$(deps_config): ;\n";
    for (auto& [name, value] : t.env_used)
      out += "\nifneq \"$(" + name + ")\" \"" + value + "\"\n$(autoconfig): FORCE\nendif\n";
    return out;
  }
  // Before 6.12 the files are listed newest first.
  auto env_deps = [&](std::string& o) {
    for (auto& [name, value] : t.env_used)
      o += "ifneq \"$(" + name + ")\" \"" + value + "\"\n" + autoconf_name + ": FORCE\nendif\n";
  };
  out += "deps_config := \\\n";
  if (layout == AutoConfCmdLayout::k6_1) {
    for (auto it = files.rbegin(); it != files.rend(); ++it) out += "\t" + it->name + " \\\n";
    out += "\n" + autoconf_name + ": $(deps_config)\n\n";
  } else {
    for (auto it = files.rbegin(); it != files.rend(); ++it)
      out += "\t" + it->name + (std::next(it) != files.rend() ? " \\\n" : "\n");
    out += "\n" + autoconf_name + ": \\\n\t$(deps_config)\n\n";
  }
  env_deps(out);
  out += "\n$(deps_config): ;\n";
  return out;
}

}  // namespace

AutoconfPlan plan_autoconf(Config& c, const FileAccess& files, const Environment& env,
                           bool overwrite) {
  AutoconfPlan plan;
  const Tree& t = c.tree();
  const bool flat_deps = flat_dependency_files(t.dialect);
  const AutoconfCalcOrder calc_order = autoconf_calc_order(t.dialect);
  const std::string autoconf_name = env_or(env, "KCONFIG_AUTOCONFIG", "include/config/auto.conf");
  {
    struct stat st;
    std::string path = autoconf_name;
    if (!path.empty() && path[0] != '/' && !files.cwd.empty() && files.cwd != ".")
      path = files.cwd + "/" + path;
    if (!overwrite && ::stat(path.c_str(), &st) == 0) {
      plan.skip = true;
      return plan;
    }
  }

  plan.files.emplace_back(
      flat_deps ? autoconf_name + ".cmd" : std::string("include/config/auto.conf.cmd"),
      autoconf_cmd(t, autoconf_name));

  if (calc_order == AutoconfCalcOrder::before_touching)
    for (Symbol* s : t.symbols_in_hash_order()) c.calc(s);

  // conf_touch_deps
  size_t slash = autoconf_name.rfind('/');
  std::string prefix = slash == std::string::npos ? "" : autoconf_name.substr(0, slash + 1);
  std::vector<std::string> unknown;
  PreviousAutoconf previous(c, unknown);
  previous.load(files, autoconf_name);
  for (const std::string& name : unknown) plan.touch.push_back(dep_file(prefix, name, flat_deps));
  const bool touch_calculates = calc_order != AutoconfCalcOrder::before_touching;
  if (touch_calculates) c.calc(t.modules);
  for (Symbol* sym : t.symbols_in_hash_order()) {
    if (touch_calculates) {
      c.calc(sym);
      if ((sym->flags & kSymNoWrite) || !sym->has_name) continue;
    } else if (sym->is_choice()) {
      continue;
    }
    const auto& old = previous[sym];
    if (c.st(sym).flags & kWrite) {
      if (old.set) {
        if (is_tristate_like(sym->type)) {
          if (c.tri(sym) == old.tri) continue;
        } else if (sym->type == SymbolType::String || sym->type == SymbolType::Int ||
                   sym->type == SymbolType::Hex) {
          if (conf_string_value(c, sym) == old.val) continue;
        }
      } else if (is_tristate_like(sym->type) && c.tri(sym) == Tristate::No) {
        continue;  // no old value: only 'no' (unset) is unchanged
      }
    } else if (!old.set) {
      continue;  // neither an old nor a new value
    }
    plan.touch.push_back(dep_file(prefix, sym->name, flat_deps));
  }
  plan.touch_makes_dirs = !flat_deps;

  if (calc_order == AutoconfCalcOrder::after_touching)
    for (Symbol* s : t.symbols_in_hash_order()) c.calc(s);

  auto written = [&](Symbol* s) { return (c.st(s).flags & kWrite) && s->has_name; };
  std::string header = heading(t, true);
  std::string rustc;
  std::string autoconf = heading(t, false);
  for (Symbol* sym : t.symbols_in_hash_order()) {
    if (calc_order == AutoconfCalcOrder::while_writing) c.calc(sym);
    if (!written(sym) || sym->type == SymbolType::Unknown) continue;
    std::string val = conf_string_value(c, sym);
    // autoconf.h
    {
      std::string suffix, vprefix, v = val;
      bool print = true;
      switch (sym->type) {
        case SymbolType::Bool:
        case SymbolType::Tristate:
          if (val == "n" || (!val.empty() && val[0] == 'n')) print = false;
          if (!val.empty() && val[0] == 'm') suffix = "_MODULE";
          v = "1";
          break;
        case SymbolType::Hex:
          if (val.size() < 2 || val[0] != '0' || (val[1] != 'x' && val[1] != 'X')) vprefix = "0x";
          break;
        case SymbolType::String:
          v = escape_string_value(val);
          break;
        default:
          break;
      }
      if (print) header += "#define CONFIG_" + sym->name + suffix + " " + vprefix + v + "\n";
    }
    if (writes_rustc_cfg(t.dialect)) {
      std::string v = val;
      bool print = true;
      if (is_tristate_like(sym->type)) {
        if (!val.empty() && val[0] == 'n')
          print = false;
        else
          rustc += "--cfg=CONFIG_" + sym->name + "\n";
      } else if (sym->type == SymbolType::Hex &&
                 (val.size() < 2 || val[0] != '0' || (val[1] != 'x' && val[1] != 'X'))) {
        v = "0x" + val;
      }
      if (print) rustc += "--cfg=CONFIG_" + sym->name + "=" + escape_string_value(v) + "\n";
    }
    // auto.conf: n is left out.
    if (is_tristate_like(sym->type) && !val.empty() && val[0] == 'n') continue;
    std::string v = sym->type == SymbolType::String && auto_conf_quotes_strings(t.dialect)
                        ? escape_string_value(val)
                        : val;
    autoconf += "CONFIG_" + sym->name + "=" + v + "\n";
  }
  plan.files.emplace_back(env_or(env, "KCONFIG_AUTOHEADER", "include/generated/autoconf.h"),
                          header);
  if (writes_rustc_cfg(t.dialect))
    plan.files.emplace_back(env_or(env, "KCONFIG_RUSTCCFG", "include/generated/rustc_cfg"), rustc);
  plan.files.emplace_back(autoconf_name, autoconf);
  return plan;
}

namespace {

std::string in_dir(const std::string& cwd, const std::string& path) {
  if (path.empty() || path[0] == '/' || cwd.empty() || cwd == ".") return path;
  return cwd + "/" + path;
}

// make_parent_dir
bool make_parent_dirs(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return true;
  std::string dir = path.substr(0, slash + 1);
  size_t p = 0;
  while (p < dir.size() && dir[p] == '/') ++p;
  while ((p = dir.find('/', p)) != std::string::npos) {
    std::string d = dir.substr(0, p);
    struct stat st;
    if (!(::stat(d.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) && ::mkdir(d.c_str(), 0755) != 0)
      return false;
    while (p < dir.size() && dir[p] == '/') ++p;
  }
  return true;
}

bool touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd == -1) return false;
  ::close(fd);
  return true;
}

}  // namespace

bool apply_autoconf(const AutoconfPlan& plan, const std::string& cwd, std::string& error) {
  if (plan.skip) return true;
  auto write = [&](const std::string& name, const std::string& content) {
    std::string path = in_dir(cwd, name);
    if (!make_parent_dirs(path)) {
      error = "cannot create the directory of " + name;
      return false;
    }
    try {
      // Without fsync, as conf: syncconfig runs on every build.
      base::write_file_atomically(path, content, {.durable = false});
    } catch (const base::FileError& e) {
      error = e.what();
      return false;
    }
    return true;
  };
  // auto.conf.cmd comes first; conf touches the dependency files before the other files.
  for (size_t i = 0; i < plan.files.size(); ++i) {
    if (!write(plan.files[i].first, plan.files[i].second)) return false;
    if (i != 0) continue;
    for (const std::string& dep : plan.touch) {
      std::string path = in_dir(cwd, dep);
      if (touch(path)) continue;
      if (plan.touch_makes_dirs && errno == ENOENT && make_parent_dirs(path) && touch(path))
        continue;
      error = "cannot create " + dep;
      return false;
    }
  }
  return true;
}

}  // namespace rk::kconfig
