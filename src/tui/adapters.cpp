#include "tui/adapters.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "kconfig/confdata.hpp"
#include "variants/explain.hpp"
#include "variants/fragment.hpp"
#include "variants/landing.hpp"

namespace rk::tui {

namespace {

bool contains(const std::vector<const variants::Variant*>& list, const variants::Variant* v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

std::string explain_view(variants::Workspace& ws, const std::vector<LiveVariant>& live,
                         const std::string& symbol, size_t width) {
  variants::ExplainResult result;
  result.symbol = symbol;
  const variants::Matrix& m = ws.matrix();
  for (const LiveVariant& lv : live) {
    kconfig::Config& c = *lv.config;
    kconfig::Symbol* sym = c.tree().find(symbol);
    if (!sym) {
      variants::VariantExplanation ve;
      ve.variant = lv.variant->name;
      ve.near_names = variants::near_symbol_names(c.tree(), symbol);
      result.variants.push_back(std::move(ve));
      continue;
    }
    std::string text = kconfig::render_config(c);
    variants::VariantExplanation ve =
        variants::explain_in_config(c, symbol, lv.variant->name, text);
    c.calc(sym);
    std::string actual = c.string_value(sym);
    for (size_t i : lv.variant->fragments) {
      const std::string& path = m.fragments[i].path;
      const variants::FragmentSetting* s = ws.fragment(path).find(symbol);
      if (!s) continue;
      variants::ExplainRequest r;
      r.fragment = path;
      r.line = s->line;
      r.requested = s->value;
      r.reason = s->reason;
      std::optional<std::string> want = variants::requested_value(*s);
      r.honored = want && *want == actual;
      ve.requests.push_back(std::move(r));
    }
    if (!ve.requests.empty()) ve.requests.back().effective = true;
    result.variants.push_back(std::move(ve));
  }
  return variants::render_text(result, width);
}

std::vector<std::string> diagnose_refusal(variants::Workspace& ws, const variants::Variant& v,
                                          const std::string& allconfig, const std::string& symbol,
                                          const std::string& value) {
  std::vector<std::string> out;
  variants::Evaluation ev = ws.evaluate(v, allconfig);
  variants::Diagnosis d = variants::diagnose(ws, v, allconfig, *ev.config, symbol, value);
  for (const auto& w : d.why) out.push_back(w);
  if (!d.fix.empty()) {
    std::string fix;
    for (const auto& f : d.fix) fix += (fix.empty() ? "" : " ") + f;
    out.push_back(fmt::format("to make it possible, set: {}{}", fix,
                              d.fix_verified ? " (verified)" : " (not verified)"));
  }
  if (!d.fix_note.empty()) out.push_back(d.fix_note);
  return out;
}

std::string fragment_with_setting(const variants::Fragment& f, const std::string& symbol,
                                  const std::string& value, bool is_string) {
  std::string written = is_string ? kconfig::escape_string_value(value) : value;
  return variants::set_setting(f, symbol, written, "");
}

EditPlan plan_fragment_edits(variants::Workspace& ws, const std::vector<EditRequest>& requests) {
  EditPlan plan;
  const variants::Matrix& m = ws.matrix();
  // Fragment texts as edited so far by this plan.
  std::map<std::string, variants::Fragment> edited;
  auto current = [&](const std::string& path) -> const variants::Fragment& {
    auto it = edited.find(path);
    return it != edited.end() ? it->second : ws.fragment(path);
  };
  for (const EditRequest& req : requests) {
    std::set<const variants::Variant*> targets(req.targets.begin(), req.targets.end());
    auto allowed = [&](size_t fi) {
      bool hits_target = false;
      for (const variants::Variant& v : m.variants) {
        if (!m.fragments[fi].applies_to(m.branch_of(v).name, m.arch_of(v).name)) continue;
        if (targets.count(&v))
          hits_target = true;
        else if (!contains(req.free, &v))
          return false;
      }
      return hits_target;
    };
    std::set<size_t> chosen;  // fragment indices that get the line
    auto last_setter = [&](const variants::Variant& v) -> long {
      long last = -1;
      for (size_t fi : v.fragments)
        if (chosen.count(fi) || current(m.fragments[fi].path).find(req.symbol))
          last = static_cast<long>(fi);
      return last;
    };
    bool failed = false;
    for (const variants::Variant* v : req.targets) {
      long last = last_setter(*v);
      if (last >= 0 && chosen.count(static_cast<size_t>(last))) continue;
      if (last >= 0 && allowed(static_cast<size_t>(last))) {
        chosen.insert(static_cast<size_t>(last));
        continue;
      }
      // A fragment after the last line that sets it (which cannot be edited): the one covering
      // most targets; ties go to the later fragment.
      long best = -1;
      size_t best_cover = 0;
      for (size_t fi : v->fragments) {
        if (static_cast<long>(fi) <= last || !allowed(fi)) continue;
        size_t cover = 0;
        for (const variants::Variant* t : req.targets)
          if (m.fragments[fi].applies_to(m.branch_of(*t).name, m.arch_of(*t).name)) ++cover;
        if (cover >= best_cover) {
          best = static_cast<long>(fi);
          best_cover = cover;
        }
      }
      if (best < 0) {
        plan.errors.push_back(fmt::format(
            "CONFIG_{}={}: no fragment applies to {} without also applying to variants that keep "
            "another value{}; add a fragment for it to variants.toml",
            req.symbol, req.value, v->name,
            last >= 0 ? fmt::format(" (it is set in {})", m.fragments[last].path) : ""));
        failed = true;
        break;
      }
      chosen.insert(static_cast<size_t>(best));
    }
    if (failed) continue;
    // A chosen fragment may be overridden for a target by a later chosen one: harmless, both
    // get the same value.
    for (size_t fi : chosen) {
      const std::string& path = m.fragments[fi].path;
      std::string text = fragment_with_setting(current(path), req.symbol, req.value, req.is_string);
      edited[path] = variants::parse_fragment(text, path);
      plan.new_texts[path] = text;
      plan.edits.push_back({path, req.symbol, req.value});
    }
  }
  return plan;
}

}  // namespace rk::tui
