#include "variants/edit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/file.hpp"
#include "base/text.hpp"
#include "kconfig/confdata.hpp"
#include "variants/fragment.hpp"
#include "variants/landing.hpp"

namespace rk::variants {

namespace fs = std::filesystem;

namespace {

using NameSet = std::set<std::string>;

NameSet applies_set(const Matrix& m, size_t fragment_index) {
  NameSet out;
  for (const auto& v : m.variants)
    if (std::find(v.fragments.begin(), v.fragments.end(), fragment_index) != v.fragments.end())
      out.insert(v.name);
  return out;
}

std::string join(const NameSet& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// Where a symbol is defined (its first entry's Kconfig file), in any of the variants' trees.
std::string definition_dir(Workspace& ws, const NameSet& variants, const std::string& symbol) {
  for (const auto& name : variants) {
    const Variant* v = ws.matrix().find_variant(name);
    if (!v) continue;
    const kconfig::Symbol* s = ws.tree(*v).tree->find(symbol);
    if (s && !s->menus.empty() && s->menus.front()->file)
      return dir_of(s->menus.front()->file->name);
  }
  return "";
}

// Effective requests of a variant: symbol -> value of the last line asking for it.
std::map<std::string, std::string> effective_requests(const std::vector<Fragment>& frags) {
  std::map<std::string, std::string> out;
  for (const auto& f : frags)
    for (const auto& s : f.settings) out[s.symbol] = s.value;
  return out;
}

Finding refusal(const std::string& symbol, const std::string& why, const std::string& fix_note) {
  Finding f;
  f.kind = "refused";
  f.severity = Severity::Error;
  f.symbol = symbol;
  f.why.push_back(why);
  f.fix_note = fix_note;
  return f;
}

}  // namespace

EditPlan plan_edits(Workspace& ws, const std::vector<SettingChange>& changes) {
  EditPlan plan;
  const Matrix& m = ws.matrix();
  NameSet all;
  for (const auto& v : m.variants) all.insert(v.name);

  std::map<std::string, std::string> texts;  // working texts of touched fragments
  auto text_of = [&](const std::string& path) -> std::string {
    auto it = texts.find(path);
    if (it != texts.end()) return it->second;
    const Fragment& f = ws.fragment(path);
    std::string t;
    for (const auto& l : f.lines) t += l + "\n";
    return t;
  };
  struct NewFragment {
    std::string path;
    NameSet variants;
    std::vector<std::string> arches, branches;
  };
  std::vector<NewFragment> created;
  NameSet affected;

  for (const auto& ch : changes) {
    NameSet targets;
    if (ch.variants.empty()) {
      targets = all;
    } else {
      for (const auto& v : m.select(ch.variants)) targets.insert(v->name);
    }
    affected.insert(targets.begin(), targets.end());

    if (!ch.value) {
      // unset: remove the lines that apply within the targets; refuse lines that reach beyond.
      bool found = false;
      for (size_t i = 0; i < m.fragments.size(); ++i) {
        const std::string& path = m.fragments[i].path;
        Fragment f = parse_fragment(text_of(path), path);
        if (!f.find(ch.symbol)) continue;
        NameSet reach = applies_set(m, i);
        NameSet inside;
        std::set_intersection(reach.begin(), reach.end(), targets.begin(), targets.end(),
                              std::inserter(inside, inside.end()));
        if (inside.empty()) continue;
        found = true;
        if (!std::includes(targets.begin(), targets.end(), reach.begin(), reach.end())) {
          plan.refusals.push_back(refusal(
              ch.symbol,
              fmt::format("CONFIG_{} is set at {}:{}, which also applies to {}", ch.symbol, path,
                          f.find(ch.symbol)->line, join(reach)),
              "unset it for all of those variants (--all), or set the value you want for these "
              "variants explicitly instead"));
          continue;
        }
        texts[path] = remove_setting(f, ch.symbol);
        affected.insert(reach.begin(), reach.end());
        plan.notes.push_back(fmt::format("{}: removed CONFIG_{}", path, ch.symbol));
      }
      if (!found)
        plan.notes.push_back(
            fmt::format("CONFIG_{}: no fragment line sets it for {}", ch.symbol, join(targets)));
      continue;
    }

    // set: nothing to do when, in every target, the line that wins already asks for exactly
    // this value (`config set FUSE_FS=y --variant arm64` when a shared fragment sets it).
    {
      std::vector<std::string> setters;
      bool already = !targets.empty();
      for (const auto& name : targets) {
        const Variant* v = m.find_variant(name);
        std::string winner, winner_value;
        for (size_t i : v->fragments) {
          const std::string& path = m.fragments[i].path;
          Fragment f = parse_fragment(text_of(path), path);
          if (const FragmentSetting* s = f.find(ch.symbol)) {
            winner = fmt::format("{}:{}", path, s->line);
            winner_value = s->value;
          }
        }
        if (winner.empty() || winner_value != *ch.value) {
          already = false;
          break;
        }
        if (std::find(setters.begin(), setters.end(), winner) == setters.end())
          setters.push_back(winner);
      }
      if (already) {
        std::string where;
        for (const auto& w : setters) where += (where.empty() ? "" : ", ") + w;
        plan.notes.push_back(fmt::format("CONFIG_{}={}: already set for {} ({}); nothing to change",
                                         ch.symbol, *ch.value, join(targets), where));
        continue;
      }
    }

    // set: pick the fragment.
    std::string target_path;
    if (!ch.fragment.empty()) {
      size_t idx = m.fragments.size();
      for (size_t i = 0; i < m.fragments.size(); ++i)
        if (m.fragments[i].path == ch.fragment) idx = i;
      if (idx == m.fragments.size()) {
        plan.refusals.push_back(
            refusal(ch.symbol, fmt::format("{} is not a fragment of {}", ch.fragment, m.path),
                    "list it as a [[fragment]] in variants.toml first"));
        continue;
      }
      NameSet reach = applies_set(m, idx);
      if (reach != targets) {
        plan.refusals.push_back(refusal(
            ch.symbol,
            fmt::format("{} applies to {}, not to exactly {}", ch.fragment, join(reach),
                        join(targets)),
            "choose the variants the fragment applies to, or let the tool pick the fragment"));
        continue;
      }
      target_path = ch.fragment;
    } else {
      std::vector<size_t> exact;
      for (size_t i = 0; i < m.fragments.size(); ++i)
        if (applies_set(m, i) == targets) exact.push_back(i);
      // A fragment of that scope already setting the symbol wins.
      for (size_t i : exact)
        if (parse_fragment(text_of(m.fragments[i].path), m.fragments[i].path).find(ch.symbol))
          target_path = m.fragments[i].path;
      if (target_path.empty() && !exact.empty()) {
        std::string dir = definition_dir(ws, targets, ch.symbol);
        size_t best = exact.back();
        int best_score = -1;
        for (size_t i : exact) {
          Fragment f = parse_fragment(text_of(m.fragments[i].path), m.fragments[i].path);
          int score = 0;
          for (const auto& s : f.settings) {
            std::string d = definition_dir(ws, targets, s.symbol);
            if (!dir.empty() && d == dir)
              score += 10;
            else if (!dir.empty() && !d.empty() &&
                     d.substr(0, d.find('/')) == dir.substr(0, dir.find('/')))
              score += 1;
          }
          if (score >= best_score) {
            best_score = score;
            best = i;
          }
        }
        target_path = m.fragments[best].path;
      }
      if (target_path.empty()) {
        // A new fragment for exactly these variants: branches x arches when the set is a
        // product, else one per variant.
        std::set<std::string> bs, as;
        for (const auto& name : targets) {
          const Variant* v = m.find_variant(name);
          bs.insert(m.branch_of(*v).name);
          as.insert(m.arch_of(*v).name);
        }
        if (bs.size() * as.size() != targets.size()) {
          plan.refusals.push_back(refusal(
              ch.symbol,
              fmt::format("no fragment applies to exactly {}, and they are not all branches x "
                          "arches of one scope",
                          join(targets)),
              "set it per variant (one --variant at a time) or name a --fragment"));
          continue;
        }
        std::string scope;
        if (bs.size() == 1) scope += *bs.begin();
        if (as.size() == 1) scope += (scope.empty() ? "" : "-") + *as.begin();
        if (scope.empty()) scope = "local";
        target_path = fmt::format("configs/local/{}.config", scope);
        bool known = std::any_of(created.begin(), created.end(),
                                 [&](const NewFragment& n) { return n.path == target_path; });
        if (!known) {
          NewFragment nf;
          nf.path = target_path;
          nf.variants = targets;
          // Filters only where the scope is narrower than the matrix.
          std::set<std::string> all_b, all_a;
          for (const auto& v : m.variants) {
            all_b.insert(m.branch_of(v).name);
            all_a.insert(m.arch_of(v).name);
          }
          if (bs != all_b) nf.branches.assign(bs.begin(), bs.end());
          if (as != all_a) nf.arches.assign(as.begin(), as.end());
          created.push_back(nf);
          texts[target_path] =
              fmt::format("# Settings for {} made with `runner-kernel config set` or menuconfig.\n",
                          join(targets));
          plan.new_fragments.push_back(target_path);
        }
      }
    }
    Fragment f = parse_fragment(text_of(target_path), target_path);
    texts[target_path] = set_setting(f, ch.symbol, *ch.value, ch.reason);
    plan.notes.push_back(fmt::format("{}: CONFIG_{}={}", target_path, ch.symbol, *ch.value));
    // Lines in narrower fragments within the targets would override the edit: drop them.
    for (size_t i = 0; i < m.fragments.size(); ++i) {
      const std::string& path = m.fragments[i].path;
      if (path == target_path) continue;
      NameSet reach = applies_set(m, i);
      if (!std::includes(targets.begin(), targets.end(), reach.begin(), reach.end())) continue;
      Fragment other = parse_fragment(text_of(path), path);
      const FragmentSetting* s = other.find(ch.symbol);
      if (!s || s->value == *ch.value) continue;
      texts[path] = remove_setting(other, ch.symbol);
      plan.notes.push_back(fmt::format("{}: removed CONFIG_{}={} (it would override the new value)",
                                       path, ch.symbol, s->value));
    }
  }
  if (!plan.refusals.empty()) return plan;

  // Verify: re-resolve each affected variant with the edited fragments.
  for (const auto& name : affected) {
    const Variant* v = m.find_variant(name);
    std::vector<Fragment> before, after;
    for (size_t i : v->fragments) {
      const std::string& path = m.fragments[i].path;
      before.push_back(ws.fragment(path));
      after.push_back(parse_fragment(text_of(path), path));
    }
    for (const auto& nf : created)
      if (nf.variants.count(name)) after.push_back(parse_fragment(texts[nf.path], nf.path));
    std::string merged_before, merged_after;
    for (const auto& f : before) merged_before += fragment_config_text(f);
    for (const auto& f : after) merged_after += fragment_config_text(f);
    Evaluation old_ev = ws.evaluate(*v, merged_before);
    Evaluation new_ev = ws.evaluate(*v, merged_after);
    auto want_before = effective_requests(before);
    auto want_after = effective_requests(after);
    for (const auto& [sym, val] : want_after) {
      if (lands(*new_ev.config, sym, val)) continue;
      bool requested_now = std::any_of(changes.begin(), changes.end(), [&](const SettingChange& c) {
        return c.symbol == sym && c.value && *c.value == val;
      });
      auto it = want_before.find(sym);
      bool landed_before =
          it != want_before.end() && it->second == val && lands(*old_ev.config, sym, val);
      if (!requested_now && !landed_before) continue;  // already failing: `config check` says so
      Finding f;
      f.kind = requested_now ? "not-landed" : "would-break";
      f.severity = Severity::Error;
      f.variants = {name};
      f.symbol = sym;
      f.requested = val;
      f.actual = shown_value(resolved_value(*new_ev.config, sym));
      Diagnosis d = diagnose(ws, *v, merged_after, *new_ev.config, sym, val);
      f.why = std::move(d.why);
      if (!requested_now)
        f.why.insert(f.why.begin(), "this line landed before the change and no longer does");
      f.fix = std::move(d.fix);
      f.fix_verified = d.fix_verified;
      f.fix_note = std::move(d.fix_note);
      plan.refusals.push_back(std::move(f));
    }
  }
  plan.affected.assign(affected.begin(), affected.end());
  if (!plan.refusals.empty()) return plan;

  plan.texts = texts;
  if (!created.empty()) {
    std::vector<FragmentSpec> entries;
    for (const auto& nf : created)
      entries.push_back({.path = nf.path, .arches = nf.arches, .branches = nf.branches});
    plan.matrix_text = append_fragment_entries(m, base::read_file(m.path), entries);
  }
  return plan;
}

void write_plan(const Matrix& matrix, const EditPlan& plan) {
  // Fragments first, variants.toml last; all of them or none.
  std::vector<base::FileReplacement> files;
  for (const auto& [path, text] : plan.texts) files.push_back({matrix.absolute(path), text});
  if (!plan.matrix_text.empty()) files.push_back({matrix.path, plan.matrix_text});
  write_configuration(matrix.path, files);
}

std::string plan_diff(Workspace& ws, const EditPlan& plan) {
  std::string out;
  for (const auto& [path, text] : plan.texts) {
    std::string old;
    bool is_new = std::find(plan.new_fragments.begin(), plan.new_fragments.end(), path) !=
                  plan.new_fragments.end();
    if (!is_new)
      for (const auto& l : ws.fragment(path).lines) old += l + "\n";
    if (old != text) out += base::unified_diff(path, old, text);
  }
  return out;
}

}  // namespace rk::variants
