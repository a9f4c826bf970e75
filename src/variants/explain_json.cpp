// `config explain --json`: an ExplainResult as JSON (explain.cpp gathers it).
#include <nlohmann/json.hpp>
#include <string>

#include "variants/explain.hpp"

namespace rk::variants {

using kconfig::Tristate;

namespace {

using json = nlohmann::ordered_json;

json expr_json(const ExplainExpr& e) {
  if (e.empty()) return nullptr;
  return json{{"expr", e.text}, {"value", std::string(1, kconfig::tri_char(e.value))}};
}

json location_json(const ExplainLocation& l) {
  return json{{"file", l.file}, {"line", l.line}};
}

json relations_json(const std::vector<ExplainRelation>& rel) {
  json a = json::array();
  for (const auto& r : rel)
    a.push_back({{"symbol", r.symbol},
                 {"value", r.value},
                 {"condition", expr_json(r.condition)},
                 {"strength", std::string(1, kconfig::tri_char(r.strength))}});
  return a;
}

}  // namespace

std::string render_json(const ExplainResult& r) {
  json doc{{"symbol", r.symbol}, {"variants", json::array()}};
  for (const auto& v : r.variants) {
    json j{{"variant", v.variant}, {"found", v.found}};
    if (!v.found) {
      j["near_names"] = v.near_names;
      doc["variants"].push_back(std::move(j));
      continue;
    }
    j["type"] = v.type;
    j["value"] = v.value;
    j["in_config"] = v.in_config;
    j["user_set"] = v.user_set;
    json prompts = json::array();
    for (const auto& p : v.prompts)
      prompts.push_back({{"text", p.text},
                         {"condition", expr_json(p.condition)},
                         {"visible", p.visible},
                         {"location", location_json(p.location)}});
    j["prompts"] = std::move(prompts);
    json defs = json::array();
    for (const auto& d : v.definitions) defs.push_back(location_json(d));
    j["definitions"] = std::move(defs);
    j["depends_on"] = expr_json(v.depends_on);
    j["selects"] = relations_json(v.selects);
    j["implies"] = relations_json(v.implies);
    j["selected_by"] = relations_json(v.selected_by);
    j["implied_by"] = relations_json(v.implied_by);
    json defaults = json::array();
    for (const auto& d : v.defaults)
      defaults.push_back({{"value", d.value.text},
                          {"condition", expr_json(d.condition)},
                          {"active", d.active},
                          {"location", location_json(d.location)}});
    j["defaults"] = std::move(defaults);
    json ranges = json::array();
    for (const auto& x : v.ranges)
      ranges.push_back({{"min", x.min},
                        {"max", x.max},
                        {"min_value", x.min_value},
                        {"max_value", x.max_value},
                        {"condition", expr_json(x.condition)},
                        {"active", x.active}});
    j["ranges"] = std::move(ranges);
    if (v.in_choice) {
      json members = json::object();
      for (const auto& [n, val] : v.choice.members) members[n] = val;
      j["choice"] = {{"prompt", v.choice.prompt},
                     {"name", v.choice.name},
                     {"selected", v.choice.selected},
                     {"members", std::move(members)},
                     {"location", location_json(v.choice.location)}};
    } else {
      j["choice"] = nullptr;
    }
    json requests = json::array();
    for (const auto& q : v.requests)
      requests.push_back({{"fragment", q.fragment},
                          {"line", q.line},
                          {"requested", q.requested},
                          {"reason", q.reason},
                          {"effective", q.effective},
                          {"honored", q.honored}});
    j["requests"] = std::move(requests);
    j["help"] = v.help;
    j["conf_help"] = v.conf_help;
    doc["variants"].push_back(std::move(j));
  }
  return doc.dump(2) + "\n";
}

}  // namespace rk::variants
