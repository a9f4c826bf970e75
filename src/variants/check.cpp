#include "variants/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "base/file.hpp"
#include "base/text.hpp"
#include "kconfig/tristate.hpp"
#include "variants/fragment.hpp"
#include "variants/landing.hpp"
#include "variants/parallel.hpp"

namespace rk::variants {

namespace {

struct Placed {
  const Fragment* fragment;
  const FragmentSetting* setting;
};

bool is_pinned(const FragmentSetting& s) {
  return s.reason.find("pinned") != std::string::npos;
}

// Would the symbol have this value anyway, without its user value? Evaluated on the resolved
// configuration by dropping the one user value and recomputing, then restoring it. Only the
// symbol itself needs recomputing: what its value depends on cannot depend on it (the tree has
// no dependency loops; choices are not asked about), except through MODULES, which changes
// every tristate's type.
bool value_without_user_setting_matches(kconfig::Config& c, const std::string& symbol,
                                        const std::string& requested) {
  kconfig::Symbol* s = c.tree().find(symbol);
  if (!s || s->is_choice_value() || s->is_choice() || !c.has_user_value(s)) return false;
  const bool everything = s == c.tree().modules;
  auto recompute = [&] {
    if (everything)
      c.clear_all_valid();
    else
      c.invalidate(s);
  };
  kconfig::SymbolState& st = c.state(s);
  uint32_t saved = st.flags;
  st.flags &= ~kconfig::kDefUser;
  recompute();
  bool same = lands(c, symbol, requested);
  c.state(s).flags = (saved | kconfig::kDefUser) & ~kconfig::kValid;
  recompute();
  c.calc(s);
  return same;
}

std::set<std::string> symbols_mentioned(const std::string& path) {
  std::set<std::string> out;
  // A missing file mentions nothing.
  for (const std::string& line :
       base::split_lines(base::read_file_if_readable(path).value_or(""))) {
    size_t start = line.rfind("CONFIG_", 0) == 0 ? 7 : line.rfind("# CONFIG_", 0) == 0 ? 9 : 0;
    if (!start) continue;
    size_t end = start;
    while (end < line.size() &&
           (isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
      ++end;
    out.insert(line.substr(start, end - start));
  }
  return out;
}

std::string merge_key(const Finding& f) {
  std::string k = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", f.kind, f.file, f.line, f.symbol,
                              f.requested, f.actual, f.other_file, f.other_line, f.fix_note);
  for (const auto& w : f.why) k += "|" + w;
  for (const auto& x : f.fix) k += "|" + x;
  return k;
}

}  // namespace

const char* severity_name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

size_t CheckReport::count(Severity s) const {
  size_t n = 0;
  for (const auto& f : findings) n += f.severity == s;
  return n;
}

namespace {

// What checking one variant finds, kept apart so that variants can be checked in parallel and
// their findings merged afterwards in the variants' order.
struct VariantCheck {
  std::vector<Finding> findings;  // in the order found
  // Lines that land: (file, line) -> does the variant get the value without the line?
  std::vector<std::pair<const FragmentSetting*, std::pair<std::string, int>>> landed;
  std::vector<bool> landed_anyway;
  VariantSummary summary;
};

VariantCheck check_one_variant(Workspace& ws, const Variant& variant, const CheckOptions& options) {
  const Variant* v = &variant;
  const Matrix& m = ws.matrix();
  VariantCheck out;
  auto add = [&](Finding f, const std::string&) { out.findings.push_back(std::move(f)); };
  auto t0 = std::chrono::steady_clock::now();
  VariantSummary summary;
  summary.name = v->name;
  std::string merged = ws.merged_fragments(*v);
  Evaluation ev = ws.resolve(*v);
  kconfig::Config& c = *ev.config;

  std::vector<Placed> placed;
  for (size_t i : v->fragments) {
    const Fragment& f = ws.fragment(m.fragments[i].path);
    for (const auto& s : f.settings) placed.push_back({&f, &s});
  }
  std::map<std::string, size_t> last;  // symbol -> index of the line that wins
  for (size_t i = 0; i < placed.size(); ++i) last[placed[i].setting->symbol] = i;

  for (size_t i = 0; i < placed.size(); ++i) {
    const Fragment& frag = *placed[i].fragment;
    const FragmentSetting& s = *placed[i].setting;
    ++summary.requested;
    Finding base;
    base.symbol = s.symbol;
    base.file = frag.path;
    base.line = s.line;
    base.requested = s.value;
    size_t winner = last[s.symbol];
    if (winner != i) {
      const Placed& w = placed[winner];
      Finding f = base;
      f.other_file = w.fragment->path;
      f.other_line = w.setting->line;
      f.other_value = w.setting->value;
      if (w.setting->value == s.value) {
        f.kind = "duplicate";
        f.severity = Severity::Warning;
        f.why.push_back(fmt::format("{}:{} asks for the same value later; one line is enough",
                                    f.other_file, f.other_line));
      } else {
        f.kind = "conflict";
        f.severity = Severity::Error;
        f.why.push_back(fmt::format("{}:{} asks for CONFIG_{}={} later and wins", f.other_file,
                                    f.other_line, s.symbol, w.setting->value));
        f.fix_note =
            "keep one value per variant: move one line into a fragment that applies "
            "only to the variants that need it";
      }
      add(std::move(f), v->name);
      continue;
    }
    if (!c.tree().find(s.symbol)) {
      Finding f = base;
      f.kind = "unknown-symbol";
      f.severity = Severity::Error;
      f.actual = "(absent)";
      f.why.push_back(fmt::format("CONFIG_{} is not defined by the {} tree", s.symbol,
                                  m.branch_of(*v).version));
      auto near = near_symbol_names(c.tree(), s.symbol, 3);
      if (!near.empty()) {
        std::string list;
        for (const auto& n : near) list += (list.empty() ? "" : ", ") + n;
        f.why.push_back("similar names: " + list);
      }
      f.fix_note =
          "move the line into a fragment limited to the branches that have the "
          "symbol, or use its new name";
      add(std::move(f), v->name);
      continue;
    }
    if (lands(c, s.symbol, s.value)) {
      ++summary.landed;
      if (options.redundant && !is_pinned(s)) {
        out.landed.push_back({&s, {frag.path, s.line}});
        out.landed_anyway.push_back(value_without_user_setting_matches(c, s.symbol, s.value));
      }
      continue;
    }
    Finding f = base;
    f.kind = "not-landed";
    f.severity = Severity::Error;
    f.actual = shown_value(resolved_value(c, s.symbol));
    Diagnosis d = diagnose(ws, *v, merged, c, s.symbol, s.value);
    f.why = std::move(d.why);
    f.fix = std::move(d.fix);
    f.fix_verified = d.fix_verified;
    f.fix_note = std::move(d.fix_note);
    add(std::move(f), v->name);
  }

  if (!options.previous_dir.empty()) {
    std::string prev = fmt::format("{}/{}/.config", options.previous_dir, v->name);
    std::error_code ec;
    if (std::filesystem::is_regular_file(prev, ec)) {
      std::set<std::string> known = symbols_mentioned(prev);
      std::istringstream in(ev.config_text);
      std::string line;
      while (std::getline(in, line)) {
        size_t start = line.rfind("CONFIG_", 0) == 0 ? 7 : line.rfind("# CONFIG_", 0) == 0 ? 9 : 0;
        if (!start) continue;
        size_t end = line.find_first_of("= ", start);
        std::string sym = line.substr(start, end - start);
        if (known.count(sym)) continue;
        kconfig::Symbol* s = c.tree().find(sym);
        if (!s || c.st(s).visible == kconfig::Tristate::No) continue;
        Finding f;
        f.kind = "new-symbol";
        f.severity = Severity::Note;
        f.symbol = sym;
        f.actual = shown_value(resolved_value(c, sym));
        f.why.push_back(
            fmt::format("not in the last resolved config ({}): it gets its "
                        "default; set it in a fragment if that is not right",
                        prev));
        add(std::move(f), v->name);
      }
    }
  }
  summary.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  out.summary = summary;
  return out;
}

}  // namespace

CheckReport check_variants(Workspace& ws, const std::vector<const Variant*>& variants,
                           const CheckOptions& options) {
  CheckReport report;
  ws.load_trees(variants);
  const Matrix& m = ws.matrix();

  // Each variant on its own configuration over its own tree: checked in parallel (the
  // workspace is only read: trees and fragments are loaded above).
  std::vector<VariantCheck> checks(variants.size());
  for (const std::exception_ptr& e : for_each_in_parallel(variants.size(), [&](size_t i) {
         checks[i] = check_one_variant(ws, *variants[i], options);
       }))
    if (e) std::rethrow_exception(e);

  std::map<std::string, size_t> merged_index;  // merge_key -> index in findings
  auto add = [&](Finding f, const std::string& variant) {
    f.variants = {variant};
    std::string key = merge_key(f);
    auto it = merged_index.find(key);
    if (it != merged_index.end()) {
      report.findings[it->second].variants.push_back(variant);
      return;
    }
    merged_index.emplace(key, report.findings.size());
    report.findings.push_back(std::move(f));
  };
  // Redundancy must hold in every variant a line applies to.
  std::map<std::pair<std::string, int>, std::pair<size_t, size_t>> redundancy;  // applies, same
  std::map<std::pair<std::string, int>, const FragmentSetting*> redundancy_setting;
  for (size_t i = 0; i < variants.size(); ++i) {
    VariantCheck& vc = checks[i];
    for (Finding& f : vc.findings) add(std::move(f), variants[i]->name);
    for (size_t j = 0; j < vc.landed.size(); ++j) {
      const auto& key = vc.landed[j].second;
      auto& [applies, same] = redundancy[key];
      ++applies;
      redundancy_setting[key] = vc.landed[j].first;
      if (vc.landed_anyway[j]) ++same;
    }
    report.variants.push_back(vc.summary);
  }
  for (const auto& [key, counts] : redundancy) {
    if (counts.first == 0 || counts.first != counts.second) continue;
    const FragmentSetting* s = redundancy_setting[key];
    Finding f;
    f.kind = "redundant";
    f.severity = Severity::Warning;
    f.symbol = s->symbol;
    f.file = key.first;
    f.line = key.second;
    f.requested = s->value;
    f.actual = s->value;
    f.why.push_back("every variant it applies to gets this value without the line");
    f.fix_note = "drop the line, or say \"pinned\" in its comment to keep it on purpose";
    for (const Variant* v : variants) {
      for (size_t i : v->fragments)
        if (m.fragments[i].path == key.first) f.variants.push_back(v->name);
    }
    report.findings.push_back(std::move(f));
  }
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     if (a.severity != b.severity) return a.severity < b.severity;
                     if (a.file != b.file) return a.file < b.file;
                     return a.line < b.line;
                   });
  return report;
}

std::string render_check_text(const CheckReport& r) {
  std::string out;
  std::map<std::string, std::pair<size_t, size_t>> per_variant;  // errors, warnings
  for (const auto& f : r.findings)
    for (const auto& v : f.variants) {
      if (f.severity == Severity::Error) ++per_variant[v].first;
      if (f.severity == Severity::Warning) ++per_variant[v].second;
    }
  out += fmt::format("{:<14} {:>9} {:>7} {:>7} {:>9} {:>6}\n", "variant", "requested", "landed",
                     "errors", "warnings", "ms");
  for (const auto& v : r.variants)
    out += fmt::format("{:<14} {:>9} {:>7} {:>7} {:>9} {:>6.0f}\n", v.name, v.requested, v.landed,
                       per_variant[v.name].first, per_variant[v.name].second, v.ms);
  for (const auto& f : r.findings) {
    out += "\n";
    std::string where = f.file.empty() ? "" : fmt::format("{}:{}: ", f.file, f.line);
    std::string what;
    if (f.kind == "new-symbol")
      what = fmt::format("CONFIG_{} is new: {}", f.symbol, f.actual);
    else if (f.kind == "not-landed")
      what = fmt::format("CONFIG_{}={} does not land: it resolves to {}", f.symbol, f.requested,
                         f.actual);
    else
      what = fmt::format("CONFIG_{}={}: {}", f.symbol, f.requested, f.kind);
    out += fmt::format("{}{}: {} [{}]\n", where, severity_name(f.severity), what, f.kind);
    std::string vs;
    for (const auto& v : f.variants) vs += (vs.empty() ? "" : ", ") + v;
    out += fmt::format("  in:  {}\n", vs);
    for (const auto& w : f.why) out += fmt::format("  why: {}\n", w);
    for (const auto& x : f.fix) out += fmt::format("  fix: {}\n", x);
    if (!f.fix_note.empty()) out += fmt::format("       {}\n", f.fix_note);
  }
  out += fmt::format("\n{} error(s), {} warning(s), {} note(s)\n", r.count(Severity::Error),
                     r.count(Severity::Warning), r.count(Severity::Note));
  return out;
}

nlohmann::json check_json(const CheckReport& r) {
  nlohmann::json j;
  j["variants"] = nlohmann::json::array();
  for (const auto& v : r.variants)
    j["variants"].push_back(
        {{"name", v.name}, {"requested", v.requested}, {"landed", v.landed}, {"ms", v.ms}});
  j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json x = {{"severity", severity_name(f.severity)},
                        {"kind", f.kind},
                        {"variants", f.variants},
                        {"symbol", f.symbol},
                        {"requested", f.requested},
                        {"actual", f.actual},
                        {"why", f.why},
                        {"fix", f.fix},
                        {"fix_verified", f.fix_verified},
                        {"fix_note", f.fix_note}};
    if (!f.file.empty()) x["location"] = {{"file", f.file}, {"line", f.line}};
    if (!f.other_file.empty())
      x["other"] = {{"file", f.other_file}, {"line", f.other_line}, {"value", f.other_value}};
    j["findings"].push_back(std::move(x));
  }
  j["errors"] = r.count(Severity::Error);
  j["warnings"] = r.count(Severity::Warning);
  j["notes"] = r.count(Severity::Note);
  return j;
}

}  // namespace rk::variants
