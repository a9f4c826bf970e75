#include "tui/adapters.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "kconfig/confdata.hpp"
#include "variants/explain.hpp"
#include "variants/fragment.hpp"
#include "variants/landing.hpp"

namespace rk::tui {

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

}  // namespace rk::tui
