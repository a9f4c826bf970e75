#include "variants/import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "kconfig/confdata.hpp"
#include "kconfig/expr.hpp"
#include "kconfig/tree.hpp"
#include "variants/fragment.hpp"
#include "variants/lint.hpp"

namespace rk::variants {

namespace {

using kconfig::Config;
using kconfig::Symbol;
using kconfig::Tristate;

// Does the resolved value `got` (nullptr: absent) give what the file asked for?
bool lands(const std::string& wanted, const std::string* got) {
  if (wanted == "n") return !got || *got == "n";
  return got && *got == wanted;
}

const kconfig::Property* prompt_of(const Symbol* s) {
  for (const kconfig::Property* p = s->props; p; p = p->next)
    if (p->type == kconfig::PropType::Prompt) return p;
  return nullptr;
}

bool defined(const Symbol* s) {
  return s && s->type != kconfig::SymbolType::Unknown && !s->menus.empty();
}

std::string shorten(std::string s, size_t max = 160) {
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

// Why conf does not give `s` the value `wanted` in `c`.
std::string explain(Config& c, Symbol* s, const std::string& wanted) {
  c.calc(s);
  auto annotate = [&](const Symbol* x) -> std::string {
    if (!x->has_name || x->is_const() || x->type == kconfig::SymbolType::Unknown) return "";
    return " [=" + c.string_value(x) + "]";
  };
  const kconfig::Property* prompt = prompt_of(s);
  if (!prompt)
    return "not user-settable (no prompt): its value comes from defaults, selects or the "
           "toolchain";
  Tristate vis = c.eval(prompt->visible);
  if (vis == Tristate::No)
    return "its dependencies are off: " +
           shorten(kconfig::expr_to_string(prompt->visible, annotate));
  const auto& st = c.st(s);
  if ((wanted == "n" || wanted == "m") &&
      st.rev_dep > (wanted == "n" ? Tristate::No : Tristate::Mod))
    return "selected by " + shorten(kconfig::expr_to_string(s->rev_dep, annotate));
  if (wanted == "y" && vis == Tristate::Mod)
    return "limited to m by " + shorten(kconfig::expr_to_string(prompt->visible, annotate));
  if (s->is_choice_value()) return "choice member: another member of the choice is selected";
  return fmt::format("conf does not keep the value (range or type); it resolves to {}",
                     c.string_value(s));
}

std::string lines_text(const std::vector<ImportLine>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += l.value == "n" ? fmt::format("# CONFIG_{} is not set\n", l.symbol)
                          : fmt::format("CONFIG_{}={}\n", l.symbol, l.value);
  return out;
}

// `lines` ordered as the file lists the symbols (others last, in their current order).
std::vector<ImportLine> in_file_order(const std::map<std::string, std::string>& lines,
                                      const ConfigValues& wanted,
                                      const std::vector<std::string>& fallback_order) {
  std::vector<ImportLine> out;
  std::set<std::string> done;
  for (const auto& [sym, val] : wanted.entries) {
    auto it = lines.find(sym);
    if (it != lines.end() && done.insert(sym).second) out.push_back({sym, it->second});
  }
  for (const auto& sym : fallback_order) {
    auto it = lines.find(sym);
    if (it != lines.end() && done.insert(sym).second) out.push_back({sym, it->second});
  }
  for (const auto& [sym, val] : lines)
    if (done.insert(sym).second) out.push_back({sym, val});
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string got_text(const std::string* got) {
  return got ? *got : "-";
}

}  // namespace

VariantImport import_config(Workspace& ws, const Variant& v, const std::string& config_text,
                            const std::string& file) {
  const Matrix& m = ws.matrix();
  VariantImport r;
  r.file = file;
  r.variant = v.name;
  ConfigValues wanted = parse_config_values(config_text);
  r.file_settings = wanted.size();
  const kconfig::Tree& tree = *ws.tree(v).tree;

  // The file alone over the variant's tree, and savedefconfig's minimal lines for it.
  Evaluation alone = ws.evaluate(v, config_text);
  ConfigValues alone_vals = parse_config_values(alone.config_text);
  ConfigValues minimal = parse_config_values(kconfig::render_defconfig(*alone.config));

  std::string base = ws.merged_fragments(v);
  ConfigValues frag_vals = parse_config_values(base);
  ConfigValues base_vals = parse_config_values(ws.evaluate(v, base).config_text);

  std::map<std::string, std::string> lines;
  std::vector<std::string> order;
  for (const auto& [sym, val] : minimal.entries) {
    order.push_back(sym);
    const std::string* in_frag = frag_vals.find(sym);
    if (in_frag && *in_frag == val) continue;       // a fragment already asks for it
    if (lands(val, base_vals.find(sym))) continue;  // the fragments already give it
    lines[sym] = val;
  }

  // Verify; a symbol that still differs gets its own line when the file's value holds on this
  // tree (fragments may have moved it away from the default savedefconfig assumed).
  std::set<std::string> added;
  Evaluation final_ev;
  for (int round = 0;; ++round) {
    final_ev = ws.evaluate(v, base + lines_text(in_file_order(lines, wanted, order)));
    ConfigValues got = parse_config_values(final_ev.config_text);
    bool grew = false;
    for (const auto& [sym, val] : wanted.entries) {
      if (lands(val, got.find(sym)) || lines.count(sym)) continue;
      Symbol* s = tree.find(sym);
      if (!defined(s) || !prompt_of(s) || !lands(val, alone_vals.find(sym))) continue;
      lines[sym] = val;
      added.insert(sym);
      grew = true;
    }
    if (!grew || round >= 16) break;
  }
  // Added lines that did not make their symbol land are noise: drop them.
  {
    ConfigValues got = parse_config_values(final_ev.config_text);
    bool dropped = false;
    for (const auto& sym : added)
      if (!lands(wanted.by_symbol.at(sym), got.find(sym))) {
        lines.erase(sym);
        dropped = true;
      }
    if (dropped) final_ev = ws.evaluate(v, base + lines_text(in_file_order(lines, wanted, order)));
  }
  r.lines = in_file_order(lines, wanted, order);

  ConfigValues got = parse_config_values(final_ev.config_text);
  const std::string where = fmt::format("{} {}", m.branch_of(v).version, m.arch_of(v).name);
  for (const auto& [sym, val] : wanted.entries) {
    const std::string* g = got.find(sym);
    if (lands(val, g)) {
      ++r.reproduced;
      continue;
    }
    ImportProblem p{sym, val, got_text(g), {}};
    Symbol* s = tree.find(sym);
    if (!defined(s)) {
      p.why = fmt::format("unknown symbol in {} (removed or renamed?)", where);
    } else if (!lands(val, alone_vals.find(sym))) {
      p.why = fmt::format("does not hold even with {} alone on {}: {}", file, where,
                          explain(*alone.config, s, val));
    } else {
      std::string frag_note;
      for (size_t i : v.fragments) {
        const Fragment& f = ws.fragment(m.fragments[i].path);
        if (const FragmentSetting* fs = f.find(sym))
          frag_note = fmt::format(" ({}:{} sets CONFIG_{}={})", f.path, fs->line, sym, fs->value);
      }
      p.why = fmt::format("the variant's fragments prevent it{}: {}", frag_note,
                          explain(*final_ev.config, s, val));
    }
    r.problems.push_back(std::move(p));
  }
  return r;
}

namespace {

struct Group {
  std::string path;
  std::vector<std::string> arches, branches;
  std::set<std::string> variants;
};

// Filters whose arches x branches give exactly `set` among the matrix's variants, or nullopt.
std::optional<Group> expressible(const Matrix& m, const std::set<std::string>& set) {
  std::set<std::string> arches, branches;
  for (const auto& name : set) {
    const Variant* v = m.find_variant(name);
    arches.insert(m.arch_of(*v).name);
    branches.insert(m.branch_of(*v).name);
  }
  std::set<std::string> covered;
  for (const Variant& v : m.variants)
    if (arches.count(m.arch_of(v).name) && branches.count(m.branch_of(v).name))
      covered.insert(v.name);
  if (covered != set) return std::nullopt;
  Group g;
  g.variants = set;
  std::set<std::string> all_arches, all_branches;
  for (const Variant& v : m.variants) {
    all_arches.insert(m.arch_of(v).name);
    all_branches.insert(m.branch_of(v).name);
  }
  // Keep the matrix's order in the filters.
  if (arches != all_arches)
    for (const auto& a : m.arches)
      if (arches.count(a.name)) g.arches.push_back(a.name);
  if (branches != all_branches)
    for (const auto& b : m.branches)
      if (branches.count(b.name)) g.branches.push_back(b.name);
  return g;
}

}  // namespace

ImportPlan plan_import(const Matrix& matrix, std::vector<VariantImport> imports,
                       const std::string& name) {
  ImportPlan plan;
  std::vector<std::string> names;  // imported variants, in order
  std::set<std::string> all;
  for (const auto& imp : imports) {
    if (!matrix.find_variant(imp.variant))
      throw VariantsError(ErrorKind::kRequest, fmt::format("unknown variant '{}'", imp.variant));
    if (!all.insert(imp.variant).second)
      throw VariantsError(ErrorKind::kRequest,
                          fmt::format("variant {} is imported twice", imp.variant));
    names.push_back(imp.variant);
  }
  auto variant_of = [&](const std::string& n) { return matrix.find_variant(n); };

  std::vector<Group> groups;
  auto add_group = [&](std::set<std::string> set, const std::string& suffix,
                       const std::string& what) {
    if (set.empty()) return;
    for (const auto& g : groups)
      if (g.variants == set) return;
    auto g = expressible(matrix, set);
    if (!g) {
      plan.notes.push_back(fmt::format(
          "no [[fragment]] filter covers exactly {} ({}): their common lines go to narrower "
          "fragments",
          what, join(std::vector<std::string>(set.begin(), set.end()), ", ")));
      return;
    }
    g->path = fmt::format("configs/imported/{}{}.config", name, suffix);
    groups.push_back(std::move(*g));
  };
  add_group(all, "", "the imported variants");
  std::vector<std::string> arches, branches;
  for (const auto& n : names) {
    const Variant* v = variant_of(n);
    const std::string& a = matrix.arch_of(*v).name;
    const std::string& b = matrix.branch_of(*v).name;
    if (std::find(arches.begin(), arches.end(), a) == arches.end()) arches.push_back(a);
    if (std::find(branches.begin(), branches.end(), b) == branches.end()) branches.push_back(b);
  }
  if (arches.size() > 1)
    for (const auto& a : arches) {
      std::set<std::string> set;
      for (const auto& n : names)
        if (matrix.arch_of(*variant_of(n)).name == a) set.insert(n);
      add_group(set, "-" + a, "the imported " + a + " variants");
    }
  if (branches.size() > 1)
    for (const auto& b : branches) {
      std::set<std::string> set;
      for (const auto& n : names)
        if (matrix.branch_of(*variant_of(n)).name == b) set.insert(n);
      add_group(set, "-" + b, "the imported " + b + " variants");
    }
  for (const auto& n : names) add_group({n}, "-" + n, n);

  // Each distinct line, with the variants that need it (and the files it came from).
  struct Key {
    std::string symbol, value;
    bool operator<(const Key& o) const {
      return std::tie(symbol, value) < std::tie(o.symbol, o.value);
    }
  };
  std::vector<Key> order;
  std::map<Key, std::set<std::string>> who;
  std::map<Key, std::vector<std::string>> files;
  for (const auto& imp : imports)
    for (const auto& l : imp.lines) {
      Key k{l.symbol, l.value};
      if (!who.count(k)) order.push_back(k);
      who[k].insert(imp.variant);
      auto& fl = files[k];
      if (std::find(fl.begin(), fl.end(), imp.file) == fl.end()) fl.push_back(imp.file);
    }

  std::map<std::string, std::vector<std::pair<ImportLine, std::string>>> by_path;
  for (const Key& k : order) {
    const auto& set = who[k];
    std::string reason = "imported from " + join(files[k], ", ");
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const Group& g) { return g.variants == set; });
    if (it != groups.end()) {
      by_path[it->path].push_back({{k.symbol, k.value}, reason});
      continue;
    }
    for (const auto& n : set)
      for (const auto& g : groups)
        if (g.variants == std::set<std::string>{n})
          by_path[g.path].push_back({{k.symbol, k.value}, reason});
  }

  std::vector<std::string> sources;
  for (const auto& imp : imports) sources.push_back(fmt::format("{} ({})", imp.file, imp.variant));
  for (const auto& g : groups) {
    auto it = by_path.find(g.path);
    if (it == by_path.end()) continue;
    ProposedFragment f;
    f.path = g.path;
    f.arches = g.arches;
    f.branches = g.branches;
    for (const auto& n : names)
      if (g.variants.count(n)) f.variants.push_back(n);
    f.text = fmt::format(
        "# Imported by `runner-kernel config import` from {}.\n"
        "# Applies to {}.\n"
        "# Replace each \"imported from\" placeholder with the reason the setting is needed.\n\n",
        join(sources, ", "), join(f.variants, ", "));
    size_t width = 0;
    for (const auto& [line, reason] : it->second)
      width = std::max(width, setting_line(line.symbol, line.value).size());
    for (const auto& [line, reason] : it->second) {
      std::string s = setting_line(line.symbol, line.value);
      f.text += fmt::format("{}{}  # {}\n", s, std::string(width - s.size(), ' '), reason);
      f.lines.push_back(line);
    }
    plan.fragments.push_back(std::move(f));
  }
  plan.imports = std::move(imports);
  return plan;
}

size_t verify_plan(Workspace& ws, ImportPlan& plan, const std::vector<std::string>& config_texts) {
  const Matrix& m = ws.matrix();
  size_t total = 0;
  for (size_t i = 0; i < plan.imports.size(); ++i) {
    VariantImport& imp = plan.imports[i];
    const Variant* v = m.find_variant(imp.variant);
    std::string allconfig = ws.merged_fragments(*v);
    for (const auto& f : plan.fragments)
      if (std::find(f.variants.begin(), f.variants.end(), imp.variant) != f.variants.end())
        allconfig += fragment_config_text(parse_fragment(f.text, f.path));
    ConfigValues got = parse_config_values(ws.evaluate(*v, allconfig).config_text);
    ConfigValues wanted = parse_config_values(config_texts.at(i));
    std::set<std::string> known;
    for (const auto& p : imp.problems) known.insert(p.symbol);
    std::vector<ImportProblem> problems;
    imp.reproduced = 0;
    for (const auto& [sym, val] : wanted.entries) {
      const std::string* g = got.find(sym);
      if (lands(val, g)) {
        ++imp.reproduced;
        continue;
      }
      auto it = std::find_if(imp.problems.begin(), imp.problems.end(),
                             [&](const ImportProblem& p) { return p.symbol == sym; });
      if (it != imp.problems.end()) {
        problems.push_back(*it);
        problems.back().got = got_text(g);
      } else {
        problems.push_back({sym, val, got_text(g),
                            "lost when the lines were factored into fragments (a bug: the "
                            "variant's lines did reproduce it)"});
      }
    }
    imp.problems = std::move(problems);
    total += imp.problems.size();
  }
  return total;
}

std::string add_fragment_entries(const Matrix& matrix, const std::string& toml_text,
                                 const std::vector<ProposedFragment>& fragments) {
  std::vector<FragmentSpec> entries;
  for (const auto& f : fragments)
    entries.push_back({.path = f.path, .arches = f.arches, .branches = f.branches});
  return append_fragment_entries(matrix, toml_text, entries);
}

std::string format_import_plan(const ImportPlan& plan) {
  std::string out;
  for (const auto& imp : plan.imports)
    out += fmt::format("{} from {}: {} settings, {} new line(s), {} reproduced, {} cannot land\n",
                       imp.variant, imp.file, imp.file_settings, imp.lines.size(), imp.reproduced,
                       imp.problems.size());
  for (const auto& n : plan.notes) out += "note: " + n + "\n";
  for (const auto& f : plan.fragments) {
    out += fmt::format("\n=== {} (arches: {}; branches: {}) -> {}\n", f.path,
                       f.arches.empty() ? "all" : join(f.arches, ", "),
                       f.branches.empty() ? "all" : join(f.branches, ", "), join(f.variants, ", "));
    out += f.text;
  }
  if (plan.fragments.empty())
    out += "\nno new lines: the fragments already reproduce the file(s)\n";
  for (const auto& imp : plan.imports) {
    if (imp.problems.empty()) continue;
    out += fmt::format("\ncannot land on {} ({}):\n", imp.variant, imp.file);
    for (const auto& p : imp.problems)
      out += fmt::format("  CONFIG_{}={} (resolves to {}): {}\n", p.symbol, p.wanted, p.got, p.why);
  }
  return out;
}

}  // namespace rk::variants
