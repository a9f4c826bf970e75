#include "kconfig/conf_modes.hpp"

namespace rk::kconfig {

namespace {

std::string env_or(const Environment& env, const char* key, const std::string& fallback) {
  auto it = env.find(key);
  return it != env.end() ? it->second : fallback;
}

// Before 6.11: symbols are visited in conf's hash order, choices settle afterwards.
void set_new_symbols_old(Config& c, NewSymbolPolicy policy) {
  const Tree& t = c.tree();
  const bool allnoconfig_y = t.dialect.code() < 5011;
  for (Symbol* sym : t.symbols_in_hash_order()) {
    SymbolState& st = c.state(sym);
    if ((st.flags & kDefUser) || (st.flags & kValid)) continue;
    SymbolType type = c.effective_type(sym);
    if (type != SymbolType::Bool && type != SymbolType::Tristate) continue;
    switch (policy) {
      case NewSymbolPolicy::Yes:
        st.user_tri = Tristate::Yes;
        break;
      case NewSymbolPolicy::Mod:
        st.user_tri = Tristate::Mod;
        break;
      case NewSymbolPolicy::No:
        st.user_tri = allnoconfig_y && (sym->flags & kSymAllNoConfigY) ? Tristate::Yes : Tristate::No;
        break;
      case NewSymbolPolicy::Default:
        continue;
    }
    st.flags |= kDefUser;
  }
  c.clear_all_valid();
  for (Symbol* s : t.symbols_in_hash_order())
    if ((s->is_choice() && !c.has_user_value(s)) || s->is_choice_value())
      c.state(s).flags |= kNeedSetChoiceValues;
  for (Symbol* cs : t.symbols_in_hash_order()) {
    if (c.has_user_value(cs) || !cs->is_choice()) continue;
    c.calc(cs);
    for (Symbol* member : cs->choice_values)
      if (!c.has_user_value(member)) c.state(member).user_tri = Tristate::No;
    c.state(cs).flags |= kDefUser;
    c.state(cs).flags &= ~(kValid | kNeedSetChoiceValues);
  }
}

// 6.11+: symbols are visited in menu order; choices need no extra pass.
void set_new_symbols_new(Config& c, NewSymbolPolicy policy) {
  const Tree& t = c.tree();
  const Menu* m = t.root.list;
  while (m) {
    Symbol* sym = m->sym;
    if (sym && m->prompt && !c.has_user_value(sym) &&
        (sym->type == SymbolType::Bool || sym->type == SymbolType::Tristate) &&
        !sym->is_choice_value() && !sym->is_choice() && policy != NewSymbolPolicy::Default) {
      SymbolState& st = c.state(sym);
      st.user_tri = policy == NewSymbolPolicy::Yes   ? Tristate::Yes
                    : policy == NewSymbolPolicy::Mod ? Tristate::Mod
                                                     : Tristate::No;
      st.flags |= kDefUser;
    }
    if (m->list) {
      m = m->list;
    } else {
      while (m && !m->next) m = m->parent;
      if (m) m = m->next;
    }
  }
  c.clear_all_valid();
}

// listnewconfig: every visible, changeable symbol the input did not mention.
void list_new_symbols(Config& c, const Menu* menu, ConfOutcome& out) {
  if (!c.menu_visible(menu)) return;
  Symbol* sym = menu->sym;
  const bool new_rules = c.tree().dialect.new_choice_rules();
  if (sym && !c.has_user_value(sym) &&
      (c.is_changeable(sym) ||
       (!new_rules && sym->is_choice() && c.tri(sym) == Tristate::Yes))) {
    if (sym->has_name && sym->type != SymbolType::Unknown) {
      std::string val = c.string_value(sym);
      if (sym->type == SymbolType::String) {
        std::string esc = "\"";
        for (char ch : val) {
          if (ch == '"' || ch == '\\') esc += '\\';
          esc += ch;
        }
        val = esc + "\"";
      }
      out.listing += "CONFIG_" + sym->name + "=" + val + "\n";
    }
  }
  for (const Menu* child = menu->list; child; child = child->next)
    list_new_symbols(c, child, out);
}

}  // namespace

void set_all_new_symbols(Config& config, NewSymbolPolicy policy) {
  if (config.tree().dialect.new_choice_rules())
    set_new_symbols_new(config, policy);
  else
    set_new_symbols_old(config, policy);
}

ConfOutcome run_conf_mode(Config& c, const ConfRequest& req) {
  ConfOutcome out;
  out.config_path = env_or(req.env, "KCONFIG_CONFIG", ".config");
  // conf_parse leaves the configuration marked as changed.
  c.set_changed(true);

  switch (req.mode) {
    case ConfMode::Defconfig:
      if (!read_config(c, req.files, &req.defconfig_file, req.env)) {
        out.exit_code = 1;
        out.error = "***\n*** Can't find default configuration \"" + req.defconfig_file +
                    "\"!\n***";
        return out;
      }
      break;
    case ConfMode::OldDefconfig:
    case ConfMode::SaveDefconfig:
    case ConfMode::ListNewconfig:
      read_config(c, req.files, nullptr, req.env);
      break;
    case ConfMode::AllDefconfig:
    case ConfMode::AllNoconfig:
    case ConfMode::AllYesconfig:
    case ConfMode::AllModconfig: {
      auto it = req.env.find("KCONFIG_ALLCONFIG");
      if (it == req.env.end()) break;
      const std::string& name = it->second;
      if (!name.empty() && name != "1") {
        if (!read_config_values(c, req.files, &name, req.env)) {
          out.exit_code = 1;
          out.error = "*** Can't read seed configuration \"" + name + "\"!";
          return out;
        }
        break;
      }
      std::string mode_file = req.mode == ConfMode::AllNoconfig    ? "allno.config"
                              : req.mode == ConfMode::AllYesconfig ? "allyes.config"
                              : req.mode == ConfMode::AllModconfig ? "allmod.config"
                                                                   : "alldef.config";
      std::string all = "all.config";
      if (!read_config_values(c, req.files, &mode_file, req.env) &&
          !read_config_values(c, req.files, &all, req.env)) {
        out.exit_code = 1;
        out.error = "*** KCONFIG_ALLCONFIG set, but no \"" + mode_file +
                    "\" or \"all.config\" file found";
        return out;
      }
      break;
    }
  }

  switch (req.mode) {
    case ConfMode::AllNoconfig:
      set_all_new_symbols(c, NewSymbolPolicy::No);
      break;
    case ConfMode::AllYesconfig:
      set_all_new_symbols(c, NewSymbolPolicy::Yes);
      break;
    case ConfMode::AllModconfig:
      set_all_new_symbols(c, NewSymbolPolicy::Mod);
      break;
    case ConfMode::AllDefconfig:
    case ConfMode::Defconfig:
      set_all_new_symbols(c, NewSymbolPolicy::Default);
      break;
    case ConfMode::ListNewconfig:
      list_new_symbols(c, &c.tree().root, out);
      return out;
    default:
      break;
  }

  if (req.mode == ConfMode::SaveDefconfig) {
    out.defconfig = render_defconfig(c);
    return out;
  }
  out.config = render_config(c);
  c.set_changed(false);
  return out;
}

}  // namespace rk::kconfig
