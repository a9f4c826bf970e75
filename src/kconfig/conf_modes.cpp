#include "kconfig/conf_modes.hpp"

#include <sys/time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace rk::kconfig {

namespace {

std::string env_or(const Environment& env, const char* key, const std::string& fallback) {
  auto it = env.find(key);
  return it != env.end() ? it->second : fallback;
}

// What randconfig draws from, and with which probabilities (percent).
struct RandomSource {
  ConfRandom* rng = nullptr;
  int pby = 50;  // bool = y
  int pty = 33;  // tristate = y
  int ptm = 33;  // tristate = m
};

enum class Policy { Default, Yes, Mod, No, Random };

Policy policy_of(NewSymbolPolicy p) {
  switch (p) {
    case NewSymbolPolicy::Yes:
      return Policy::Yes;
    case NewSymbolPolicy::Mod:
      return Policy::Mod;
    case NewSymbolPolicy::No:
      return Policy::No;
    case NewSymbolPolicy::Default:
      break;
  }
  return Policy::Default;
}

Tristate random_value(const Symbol* sym, RandomSource& rs) {
  Tristate val = Tristate::No;
  int cnt = rs.rng->next() % 100;
  if (sym->type == SymbolType::Tristate) {
    if (cnt < rs.pty)
      val = Tristate::Yes;
    else if (cnt < rs.pty + rs.ptm)
      val = Tristate::Mod;
  } else if (cnt < rs.pby) {
    val = Tristate::Yes;
  }
  return val;
}

// Before 6.11, randconfig picks one member of each choice that is y.
bool randomize_choice_old(Config& c, Symbol* choice, RandomSource& rs) {
  if (c.tri(choice) != Tristate::Yes) return false;
  int cnt = static_cast<int>(choice->choice_values.size());
  if (cnt == 0) return false;
  int def = rs.rng->next() % cnt;
  int i = 0;
  for (Symbol* member : choice->choice_values) {
    SymbolState& st = c.state(member);
    if (def == i++) {
      st.user_tri = Tristate::Yes;
      c.state(choice).user_choice = member;
    } else {
      st.user_tri = Tristate::No;
    }
    st.flags |= kDefUser;
    c.invalidate(member);
  }
  c.state(choice).flags |= kDefUser;
  c.invalidate(choice);
  return true;
}

// Before 6.11: symbols are visited in conf's hash order, choices settle afterwards. Returns
// conf's "has changed" (only randconfig repeats while it is set).
bool set_new_symbols_old(Config& c, Policy policy, RandomSource* rs) {
  const Tree& t = c.tree();
  const bool allnoconfig_y = allnoconfig_y_applies(t.dialect);
  bool has_changed = false;
  for (Symbol* sym : t.symbols_in_hash_order()) {
    SymbolState& st = c.state(sym);
    if ((st.flags & kDefUser) || c.is_valid(sym)) continue;
    SymbolType type = c.effective_type(sym);
    if (type != SymbolType::Bool && type != SymbolType::Tristate) continue;
    has_changed = true;
    switch (policy) {
      case Policy::Yes:
        st.user_tri = Tristate::Yes;
        break;
      case Policy::Mod:
        st.user_tri = Tristate::Mod;
        break;
      case Policy::No:
        st.user_tri =
            allnoconfig_y && (sym->flags & kSymAllNoConfigY) ? Tristate::Yes : Tristate::No;
        break;
      case Policy::Random:
        st.user_tri = random_value(sym, *rs);
        break;
      case Policy::Default:
        continue;
    }
    // A random choice mode is only a suggestion: the choice stays without a user value.
    if (!(sym->is_choice() && policy == Policy::Random)) st.flags |= kDefUser;
  }
  c.clear_all_valid();
  if (policy != Policy::Random) {
    for (Symbol* s : t.symbols_in_hash_order())
      if ((s->is_choice() && !c.has_user_value(s)) || s->is_choice_value())
        c.state(s).flags |= kNeedSetChoiceValues;
  }
  for (Symbol* cs : t.symbols_in_hash_order()) {
    if (c.has_user_value(cs) || !cs->is_choice()) continue;
    c.calc(cs);
    if (policy == Policy::Random) {
      has_changed |= randomize_choice_old(c, cs, *rs);
      continue;
    }
    for (Symbol* member : cs->choice_values)
      if (!c.has_user_value(member)) c.state(member).user_tri = Tristate::No;
    c.state(cs).flags |= kDefUser;
    c.state(cs).flags &= ~kNeedSetChoiceValues;
    c.invalidate(cs);
    has_changed = true;
  }
  return has_changed;
}

// 6.11+: every member of the choice without a user value is set to y in a random order; the
// order becomes the members' priority (after those KCONFIG_ALLCONFIG set).
void randomize_choice_new(Config& c, const Menu* choice, RandomSource& rs) {
  int cnt = 0;
  walk_menus_below(choice, [&](const Menu* m) {
    if (m->sym && !c.has_user_value(m->sym)) ++cnt;
    return false;
  });
  auto& order = c.choice_order(choice->sym);
  while (cnt > 0) {
    int x = rs.rng->next() % cnt;
    walk_menus_below(choice, [&](const Menu* m) {
      Symbol* sym = m->sym;
      if (sym && !c.has_user_value(sym)) --x;
      if (x >= 0) return false;
      c.state(sym).user_tri = Tristate::Yes;
      c.state(sym).flags |= kDefUser;
      for (auto it = order.begin(); it != order.end(); ++it)
        if (*it == sym) {
          order.erase(it);
          break;
        }
      order.push_back(sym);
      return true;
    });
    --cnt;
  }
}

// 6.11+: symbols are visited in menu order; choices need no extra pass.
void set_new_symbols_new(Config& c, Policy policy, RandomSource* rs) {
  const Tree& t = c.tree();
  const Menu* m = t.root.list;
  while (m) {
    Symbol* sym = m->sym;
    if (sym && m->prompt && !c.has_user_value(sym) &&
        (sym->type == SymbolType::Bool || sym->type == SymbolType::Tristate) &&
        !sym->is_choice_value()) {
      if (sym->is_choice()) {
        if (policy == Policy::Random) randomize_choice_new(c, m, *rs);
      } else if (policy != Policy::Default) {
        SymbolState& st = c.state(sym);
        switch (policy) {
          case Policy::Yes:
            st.user_tri = Tristate::Yes;
            break;
          case Policy::Mod:
            st.user_tri = Tristate::Mod;
            break;
          case Policy::Random:
            st.user_tri = random_value(sym, *rs);
            break;
          default:
            st.user_tri = Tristate::No;
            break;
        }
        st.flags |= kDefUser;
      }
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

// conf_rewrite_tristates (conf_rewrite_mod_or_yes in 5.10).
void rewrite_tristates(Config& c, Tristate from, Tristate to) {
  for (Symbol* sym : c.tree().symbols_in_hash_order()) {
    SymbolState& st = c.state(sym);
    if (c.effective_type(sym) == SymbolType::Tristate && st.user_tri == from) st.user_tri = to;
  }
  c.clear_all_valid();
}

// KCONFIG_PROBABILITY: "y", "y:m" (tristates) or "bool_y:tri_y:tri_m", in percent.
bool parse_probabilities(const Environment& env, RandomSource& rs) {
  auto it = env.find("KCONFIG_PROBABILITY");
  const char* p = it == env.end() ? nullptr : it->second.c_str();
  int n = 0, v[3] = {0, 0, 0};
  while (p && *p) {
    char* endp = nullptr;
    long tmp = std::strtol(p, &endp, 10);
    if (tmp < 0 || tmp > 100) return false;
    v[n++] = static_cast<int>(tmp);
    p = *endp == ':' ? endp + 1 : endp;
    if (n >= 3) break;
  }
  switch (n) {
    case 1:
      rs.pby = v[0];
      rs.ptm = rs.pby / 2;
      rs.pty = rs.pby - rs.ptm;
      break;
    case 2:
      rs.pty = v[0];
      rs.ptm = v[1];
      rs.pby = rs.pty + rs.ptm;
      break;
    case 3:
      rs.pby = v[0];
      rs.pty = v[1];
      rs.ptm = v[2];
      break;
  }
  return rs.pty + rs.ptm <= 100;
}

AskMode ask_mode(ConfMode m) {
  switch (m) {
    case ConfMode::OldAskConfig:
      return AskMode::OldAskConfig;
    case ConfMode::SyncConfig:
      return AskMode::SyncConfig;
    case ConfMode::ListNewconfig:
      return AskMode::ListNewConfig;
    case ConfMode::HelpNewconfig:
      return AskMode::HelpNewConfig;
    default:
      return AskMode::OldConfig;
  }
}

}  // namespace

// --- glibc's random_r, TYPE_3 (degree 31, separation 3) ------------------------------------

ConfRandom::ConfRandom(uint32_t seed) {
  if (seed == 0) seed = 1;
  int32_t word = static_cast<int32_t>(seed);
  state_[0] = word;
  for (int i = 1; i < 31; ++i) {
    // state[i] = (16807 * state[i - 1]) % 2147483647 without overflowing 31 bits
    long hi = word / 127773;
    long lo = word % 127773;
    long w = 16807 * lo - 2836 * hi;
    if (w < 0) w += 2147483647;
    word = static_cast<int32_t>(w);
    state_[i] = word;
  }
  f_ = 3;
  r_ = 0;
  for (int i = 0; i < 310; ++i) next();
}

int ConfRandom::next() {
  uint32_t val = static_cast<uint32_t>(state_[f_]) + static_cast<uint32_t>(state_[r_]);
  state_[f_] = static_cast<int32_t>(val);
  int result = static_cast<int>(val >> 1);
  if (++f_ >= 31) {
    f_ = 0;
    ++r_;
  } else if (++r_ >= 31) {
    r_ = 0;
  }
  return result;
}

uint32_t randconfig_seed(const Environment& env, std::string& message) {
  uint32_t seed = 0;
  bool seed_set = false;
  auto it = env.find("KCONFIG_SEED");
  if (it != env.end() && !it->second.empty()) {
    char* endp = nullptr;
    long v = std::strtol(it->second.c_str(), &endp, 0);
    if (*endp == '\0') {
      seed = static_cast<uint32_t>(v);
      seed_set = true;
    }
  }
  if (!seed_set) {
    struct timeval now;
    gettimeofday(&now, nullptr);
    seed = static_cast<uint32_t>((now.tv_sec + 1) * (now.tv_usec + 1));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "KCONFIG_SEED=0x%X\n", seed);
  message = buf;
  return seed;
}

void set_all_new_symbols(Config& config, NewSymbolPolicy policy) {
  if (config.tree().dialect.new_choice_rules())
    set_new_symbols_new(config, policy_of(policy), nullptr);
  else
    set_new_symbols_old(config, policy_of(policy), nullptr);
}

ConfOutcome run_conf_mode(Config& c, const ConfRequest& req) {
  ConfOutcome out;
  out.config_path = env_or(req.env, "KCONFIG_CONFIG", ".config");
  // conf_parse leaves the configuration marked as changed.
  c.set_changed(true);
  const Dialect& d = c.tree().dialect;

  const bool werror = supports_kconfig_werror(d) && req.env.count("KCONFIG_WERROR");
  Diagnostics* diag = c.diagnostics();
  size_t lines_before_read = diag ? diag->lines().size() : 0;

  switch (req.mode) {
    case ConfMode::Defconfig:
      if (!read_config(c, req.files, &req.defconfig_file, req.env)) {
        out.exit_code = 1;
        out.error =
            "***\n*** Can't find default configuration \"" + req.defconfig_file + "\"!\n***";
        return out;
      }
      break;
    case ConfMode::OldDefconfig:
    case ConfMode::SaveDefconfig:
    case ConfMode::ListNewconfig:
    case ConfMode::HelpNewconfig:
    case ConfMode::OldAskConfig:
    case ConfMode::OldConfig:
    case ConfMode::SyncConfig:
    case ConfMode::Yes2ModConfig:
    case ConfMode::Mod2YesConfig:
    case ConfMode::Mod2NoConfig:
      read_config(c, req.files, nullptr, req.env);
      break;
    case ConfMode::AllDefconfig:
    case ConfMode::AllNoconfig:
    case ConfMode::AllYesconfig:
    case ConfMode::AllModconfig:
    case ConfMode::RandConfig: {
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
                              : req.mode == ConfMode::RandConfig   ? "allrandom.config"
                                                                   : "alldef.config";
      std::string all = "all.config";
      if (!read_config_values(c, req.files, &mode_file, req.env) &&
          !read_config_values(c, req.files, &all, req.env)) {
        out.exit_code = 1;
        out.error =
            "*** KCONFIG_ALLCONFIG set, but no \"" + mode_file + "\" or \"all.config\" file found";
        return out;
      }
      break;
    }
  }

  if (werror && diag) {
    // conf_errors(): the reader's "file:line:warning:" lines.
    const auto& lines = diag->lines();
    for (size_t i = lines_before_read; i < lines.size(); ++i) {
      if (lines[i].find(":warning: ") == std::string::npos) continue;
      out.exit_code = 1;
      return out;
    }
  }

  const bool sync = req.mode == ConfMode::SyncConfig;
  bool no_conf_write = false;
  if (sync) {
    auto it = req.env.find("KCONFIG_NOSILENTUPDATE");
    if (it != req.env.end() && !it->second.empty()) {
      if (c.changed()) {
        out.exit_code = 1;
        out.error = "\n*** The configuration requires explicit update.\n";
        return out;
      }
      no_conf_write = true;
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
    case ConfMode::RandConfig: {
      ConfRandom rng(req.seed);
      RandomSource rs;
      rs.rng = &rng;
      if (!parse_probabilities(req.env, rs)) {
        out.exit_code = 1;
        out.error = "KCONFIG_PROBABILITY: Numerical result out of range";
        return out;
      }
      if (d.new_choice_rules()) {
        set_new_symbols_new(c, Policy::Random, &rs);
      } else {
        // Repeated until no choice changes: a random member can make another choice y.
        while (set_new_symbols_old(c, Policy::Random, &rs)) {
        }
      }
      break;
    }
    case ConfMode::Yes2ModConfig:
      rewrite_tristates(c, Tristate::Yes, Tristate::Mod);
      break;
    case ConfMode::Mod2YesConfig:
      rewrite_tristates(c, Tristate::Mod, Tristate::Yes);
      break;
    case ConfMode::Mod2NoConfig:
      rewrite_tristates(c, Tristate::Mod, Tristate::No);
      break;
    case ConfMode::ListNewconfig:
    case ConfMode::HelpNewconfig: {
      std::ostringstream listing;
      Console console;
      console.out = &listing;
      console.err = &listing;
      run_conf_questions(c, ask_mode(req.mode), console);
      out.listing = listing.str();
      return out;
    }
    case ConfMode::OldAskConfig:
    case ConfMode::OldConfig:
    case ConfMode::SyncConfig: {
      if (!req.console) {
        out.exit_code = 1;
        out.error = "no console for the questions of this mode";
        return out;
      }
      int rc = run_conf_questions(c, ask_mode(req.mode), *req.console);
      if (rc != 0) {
        out.exit_code = rc;
        return out;
      }
      break;
    }
    default:
      break;
  }

  if (werror && c.unmet_dependency_warnings()) {  // sym_dep_errors()
    out.exit_code = 1;
    return out;
  }

  if (req.mode == ConfMode::SaveDefconfig) {
    out.defconfig = render_defconfig(c);
    return out;
  }
  if (!no_conf_write) {
    out.config = render_config(c);
    c.set_changed(false);
  }
  out.write_autoconf = true;
  out.autoconf_overwrite = sync;
  return out;
}

}  // namespace rk::kconfig
