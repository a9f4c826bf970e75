#include "variants/lint.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "base/file.hpp"
#include "kconfig/tree.hpp"

namespace rk::variants {

namespace {

bool symbol_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "\"a\\\"b\"" -> a"b; nullopt when `s` is not one well-formed quoted string.
std::optional<std::string> unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 2 >= s.size()) return std::nullopt;
      c = s[++i];
    } else if (c == '"') {
      return std::nullopt;
    }
    out += c;
  }
  return out;
}

// A .config value compared the way rules compare it: strings without their quotes.
std::string normalised(const std::string& raw) {
  if (auto s = unquote(raw)) return *s;
  return raw;
}

bool plain_value(std::string_view v) {
  if (v == "y" || v == "m" || v == "n") return true;
  if (v.empty()) return false;
  size_t i = v.front() == '-' ? 1 : 0;
  if (v.size() > i + 2 && v[i] == '0' && (v[i + 1] == 'x' || v[i + 1] == 'X'))
    return std::all_of(v.begin() + static_cast<long>(i) + 2, v.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  return v.size() > i && std::all_of(v.begin() + static_cast<long>(i), v.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
}

int node_line(const toml::node& n) {
  return static_cast<int>(n.source().begin.line);
}

[[noreturn]] void rules_error(const std::string& path, int line, const std::string& msg) {
  throw VariantsError(ErrorKind::kLintRules, fmt::format("{}:{}: {}", path, line, msg));
}

LintCondition parse_condition(std::string_view text, const std::string& path, int line,
                              const std::string& id) {
  LintCondition c;
  c.text = std::string(text);
  std::string_view t = strip(text);
  if (t.substr(0, 7) == "CONFIG_")
    rules_error(path, line,
                fmt::format("rule {}: write '{}' without the CONFIG_ prefix", id, t.substr(7)));
  size_t end = 0;
  while (end < t.size() && symbol_char(t[end])) ++end;
  if (end == 0)
    rules_error(path, line,
                fmt::format("rule {}: condition '{}' does not start with a symbol", id, text));
  c.symbol = std::string(t.substr(0, end));
  std::string_view rest = t.substr(end);
  if (rest.substr(0, 2) == "!=") {
    c.negated = true;
    rest.remove_prefix(2);
  } else if (rest.substr(0, 1) == "=") {
    rest.remove_prefix(1);
  } else {
    rules_error(path, line,
                fmt::format("rule {}: condition '{}' must be SYM=VALUE or SYM!=VALUE", id, text));
  }
  rest = strip(rest);
  if (!rest.empty() && rest.front() == '"') {
    auto s = unquote(rest);
    if (!s)
      rules_error(path, line, fmt::format("rule {}: malformed quoted value in '{}'", id, text));
    c.value = *s;
  } else if (plain_value(rest)) {
    c.value = std::string(rest);
  } else {
    rules_error(path, line,
                fmt::format("rule {}: value of '{}' must be y, m, n, a number or a quoted string",
                            id, text));
  }
  return c;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string describe_actual(const std::string& symbol, const std::string* actual) {
  if (!actual) return symbol + " absent from .config";
  return symbol + "=" + *actual;
}

bool symbol_defined(const kconfig::Tree& tree, const std::string& name) {
  const kconfig::Symbol* s = tree.find(name);
  return s && s->type != kconfig::SymbolType::Unknown && !s->menus.empty();
}

}  // namespace

const std::string* ConfigValues::find(const std::string& symbol) const {
  auto it = by_symbol.find(symbol);
  return it == by_symbol.end() ? nullptr : &it->second;
}

ConfigValues parse_config_values(std::string_view text) {
  ConfigValues out;
  std::map<std::string, size_t> index;
  auto put = [&](std::string sym, std::string value) {
    auto [it, fresh] = index.emplace(sym, out.entries.size());
    if (fresh)
      out.entries.emplace_back(sym, value);
    else
      out.entries[it->second].second = value;
    out.by_symbol[std::move(sym)] = std::move(value);
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = strip(text.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.substr(0, 7) == "CONFIG_") {
      size_t end = 7;
      while (end < line.size() && symbol_char(line[end])) ++end;
      if (end == 7 || end >= line.size() || line[end] != '=') continue;
      std::string_view value = line.substr(end + 1);
      // A fragment's trailing comment (outside quotes) is not part of the value.
      bool quoted = false;
      for (size_t i = 0; i < value.size(); ++i) {
        if (quoted && value[i] == '\\') {
          ++i;
        } else if (value[i] == '"') {
          quoted = !quoted;
        } else if (!quoted && value[i] == '#') {
          value = value.substr(0, i);
          break;
        }
      }
      put(std::string(line.substr(7, end - 7)), std::string(strip(value)));
    } else if (line.substr(0, 9) == "# CONFIG_") {
      size_t end = 9;
      while (end < line.size() && symbol_char(line[end])) ++end;
      if (end > 9 && line.substr(end) == " is not set")
        put(std::string(line.substr(9, end - 9)), "n");
    }
  }
  return out;
}

bool LintRule::applies_to(const std::string& branch, const std::string& arch) const {
  auto has = [](const std::vector<std::string>& list, const std::string& x) {
    return list.empty() || std::find(list.begin(), list.end(), x) != list.end();
  };
  return has(branches, branch) && has(arches, arch);
}

RuleSet parse_rules(const std::string& text, const std::string& path, const Matrix* matrix) {
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    rules_error(path, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
  RuleSet set;
  set.path = path;
  for (const auto& [key, node] : doc)
    if (key.str() != "rule")
      rules_error(path, node_line(node),
                  fmt::format("unknown key '{}' (the file holds [[rule]] tables)", key.str()));
  const toml::node* rules = doc.get("rule");
  if (!rules) return set;
  const toml::array* arr = rules->as_array();
  if (!arr) rules_error(path, node_line(*rules), "'rule' must be an array of tables ([[rule]])");
  std::map<std::string, int> ids;
  static const std::set<std::string> known = {"id",     "group",  "when",     "require",
                                              "any_of", "arches", "branches", "reason"};
  for (const toml::node& node : *arr) {
    const toml::table* t = node.as_table();
    if (!t) rules_error(path, node_line(node), "each [[rule]] must be a table");
    LintRule r;
    r.line = node_line(*t);
    for (const auto& [k, v] : *t)
      if (!known.count(std::string(k.str())))
        rules_error(path, node_line(v),
                    fmt::format("unknown key '{}' in [[rule]] (known: id, group, when, require, "
                                "any_of, arches, branches, reason)",
                                k.str()));
    auto str = [&](std::string_view key) -> std::string {
      const toml::node* n = t->get(key);
      if (!n) rules_error(path, r.line, fmt::format("[[rule]] {}: missing '{}'", r.id, key));
      if (!n->is_string())
        rules_error(path, node_line(*n), fmt::format("'{}' must be a string", key));
      std::string s(n->as_string()->get());
      if (strip(s).empty())
        rules_error(path, node_line(*n), fmt::format("[[rule]] {}: '{}' is empty", r.id, key));
      return s;
    };
    auto list = [&](std::string_view key) {
      std::vector<std::pair<std::string, int>> out;
      const toml::node* n = t->get(key);
      if (!n) return out;
      const toml::array* a = n->as_array();
      if (!a)
        rules_error(path, node_line(*n), fmt::format("'{}' must be an array of strings", key));
      for (const toml::node& item : *a) {
        if (!item.is_string())
          rules_error(path, node_line(item), fmt::format("'{}' must hold only strings", key));
        out.emplace_back(std::string(item.as_string()->get()), node_line(item));
      }
      return out;
    };
    r.id = str("id");
    auto [it, fresh] = ids.emplace(r.id, r.line);
    if (!fresh)
      rules_error(path, r.line,
                  fmt::format("rule id '{}' is already used at line {}", r.id, it->second));
    r.group = str("group");
    if (r.group == kBuiltinGroup)
      rules_error(
          path, r.line,
          fmt::format("rule {}: group '{}' is reserved for built-in rules", r.id, kBuiltinGroup));
    r.reason = str("reason");
    for (auto [field, dest] : {std::pair{"when", &r.when}, std::pair{"require", &r.require},
                               std::pair{"any_of", &r.any_of}})
      for (const auto& [cond, line] : list(field))
        dest->push_back(parse_condition(cond, path, line, r.id));
    if (r.require.empty() && r.any_of.empty())
      rules_error(path, r.line, fmt::format("rule {}: needs 'require' or 'any_of'", r.id));
    for (const auto& [a, line] : list("arches")) {
      if (matrix && !matrix->find_arch(a))
        rules_error(path, line, fmt::format("rule {}: unknown arch '{}'", r.id, a));
      r.arches.push_back(a);
    }
    for (const auto& [b, line] : list("branches")) {
      if (matrix && !matrix->find_branch(b))
        rules_error(path, line, fmt::format("rule {}: unknown branch '{}'", r.id, b));
      r.branches.push_back(b);
    }
    if (std::find(set.groups.begin(), set.groups.end(), r.group) == set.groups.end())
      set.groups.push_back(r.group);
    set.rules.push_back(std::move(r));
  }
  return set;
}

RuleSet load_rules(const std::string& path, const Matrix* matrix) {
  auto text = base::read_file_if_readable(path);
  if (!text)
    throw VariantsError(ErrorKind::kLintRules, fmt::format("{}: cannot read the lint rules", path));
  return parse_rules(*text, path, matrix);
}

bool condition_holds(const LintCondition& cond, const std::string* actual) {
  bool equal = cond.value == "n" ? (!actual || *actual == "n")
                                 : (actual && normalised(*actual) == cond.value);
  return cond.negated ? !equal : equal;
}

LintReport lint_variants(Workspace& ws, const RuleSet& rules,
                         const std::vector<const Variant*>& variants) {
  const Matrix& m = ws.matrix();
  LintReport report;
  report.groups = rules.groups;
  report.groups.push_back(kBuiltinGroup);
  ws.load_trees(variants);

  // builtin-reasons: one failure per reasonless setting, naming the variants it feeds.
  std::map<std::pair<std::string, int>, std::vector<std::string>> reasonless;
  std::map<std::pair<std::string, int>, std::string> reasonless_line;

  for (const Variant* v : variants) {
    const std::string& branch = m.branch_of(*v).name;
    const std::string& arch = m.arch_of(*v).name;
    Evaluation ev = ws.resolve(*v);
    ConfigValues values = parse_config_values(ev.config_text);
    const kconfig::Tree& tree = *ws.tree(*v).tree;
    LintVariantResult res;
    res.variant = v->name;
    for (const auto& g : report.groups) res.groups[g];

    for (const LintRule& rule : rules.rules) {
      if (!rule.applies_to(branch, arch)) {
        ++res.skipped;
        continue;
      }
      LintFailure f;
      f.variant = v->name;
      f.rule = rule.id;
      f.group = rule.group;
      f.reason = rule.reason;
      // A rule must not pass because a symbol it names no longer exists.
      for (const auto* conds : {&rule.when, &rule.require, &rule.any_of})
        for (const LintCondition& c : *conds)
          if (!symbol_defined(tree, c.symbol))
            f.checks.push_back({c.text, fmt::format("{} is not defined in {} {} (renamed or "
                                                    "removed? restrict the rule with branches/"
                                                    "arches or update it)",
                                                    c.symbol, m.branch_of(*v).version, arch)});
      if (!f.checks.empty()) {
        f.kind = "unknown-symbol";
        ++res.groups[rule.group].fail;
        report.failures.push_back(std::move(f));
        continue;
      }
      bool when_holds = std::all_of(rule.when.begin(), rule.when.end(), [&](const auto& c) {
        return condition_holds(c, values.find(c.symbol));
      });
      if (!when_holds) {
        ++res.skipped;
        continue;
      }
      if (!rule.when.empty()) {
        std::vector<std::string> parts;
        for (const auto& c : rule.when)
          parts.push_back(
              fmt::format("{} ({})", c.text, describe_actual(c.symbol, values.find(c.symbol))));
        f.context = "when " + join(parts, ", ");
      }
      std::vector<std::string> kinds;
      for (const LintCondition& c : rule.require) {
        const std::string* actual = values.find(c.symbol);
        if (!condition_holds(c, actual))
          f.checks.push_back({c.text, describe_actual(c.symbol, actual)});
      }
      if (!f.checks.empty()) kinds.push_back("require");
      if (!rule.any_of.empty() &&
          std::none_of(rule.any_of.begin(), rule.any_of.end(),
                       [&](const auto& c) { return condition_holds(c, values.find(c.symbol)); })) {
        std::vector<std::string> conds, actuals;
        for (const auto& c : rule.any_of) {
          conds.push_back(c.text);
          actuals.push_back(describe_actual(c.symbol, values.find(c.symbol)));
        }
        f.checks.push_back({"any of " + join(conds, " | "), join(actuals, ", ")});
        kinds.push_back("any_of");
      }
      if (f.checks.empty()) {
        ++res.groups[rule.group].pass;
      } else {
        f.kind = join(kinds, "+");
        ++res.groups[rule.group].fail;
        report.failures.push_back(std::move(f));
      }
    }

    // builtin-no-modules: every =m symbol.
    LintFailure mods;
    mods.variant = v->name;
    mods.rule = kRuleNoModules;
    mods.group = kBuiltinGroup;
    mods.kind = "module";
    mods.reason =
        "we ship a single vmlinux/Image and no module tree: an =m driver is never loadable "
        "(make it =y or n)";
    for (const auto& [sym, val] : values.entries)
      if (val == "m") mods.checks.push_back({sym + "!=m", sym + "=m"});
    if (mods.checks.empty()) {
      ++res.groups[kBuiltinGroup].pass;
    } else {
      ++res.groups[kBuiltinGroup].fail;
      report.failures.push_back(std::move(mods));
    }

    // builtin-reasons: over the fragments this variant reads.
    bool all_reasoned = true;
    for (size_t i : v->fragments) {
      const Fragment& frag = ws.fragment(m.fragments[i].path);
      for (const FragmentSetting& s : frag.settings) {
        if (!strip(s.reason).empty()) continue;
        all_reasoned = false;
        auto key = std::pair{frag.path, s.line};
        reasonless[key].push_back(v->name);
        reasonless_line[key] = setting_line(s.symbol, s.value);
      }
    }
    ++(all_reasoned ? res.groups[kBuiltinGroup].pass : res.groups[kBuiltinGroup].fail);
    report.variants.push_back(std::move(res));
  }

  for (const auto& [key, names] : reasonless) {
    LintFailure f;
    f.variant = names.size() == variants.size() && variants.size() > 1 ? "all" : join(names, ",");
    f.rule = kRuleReasons;
    f.group = kBuiltinGroup;
    f.kind = "reason";
    f.checks.push_back({fmt::format("{}:{}: {}", key.first, key.second, reasonless_line[key]),
                        "no reason: add a trailing '# why' or a comment paragraph above it"});
    f.reason = "every fragment setting says why it is there (the fragments are the documentation)";
    report.failures.push_back(std::move(f));
  }
  return report;
}

std::string format_lint_report(const LintReport& report) {
  std::string out;
  out += fmt::format("{:<14}", "variant");
  for (const auto& g : report.groups) out += fmt::format(" {:>12}", g);
  out += fmt::format(" {:>8}\n", "skipped");
  for (const auto& v : report.variants) {
    out += fmt::format("{:<14}", v.variant);
    for (const auto& g : report.groups) {
      auto it = v.groups.find(g);
      LintCount c = it == v.groups.end() ? LintCount{} : it->second;
      std::string cell = fmt::format("{}/{}", c.pass, c.pass + c.fail);
      if (c.fail) cell += fmt::format(" ({}!)", c.fail);
      out += fmt::format(" {:>12}", cell);
    }
    out += fmt::format(" {:>8}\n", v.skipped);
  }
  if (report.failures.empty()) {
    out += fmt::format("\nlint passed: {} variant(s), every rule holds\n", report.variants.size());
    return out;
  }
  out += fmt::format("\n{} failure(s):\n", report.failures.size());
  for (const auto& f : report.failures) {
    out += fmt::format("\n{}  {} [{}, {}]\n", f.variant, f.rule, f.group, f.kind);
    if (!f.context.empty()) out += fmt::format("    {}\n", f.context);
    for (const auto& c : f.checks)
      out += fmt::format("    needs {:<34} got {}\n", c.condition, c.actual);
    out += fmt::format("    reason: {}\n", f.reason);
  }
  return out;
}

std::string lint_report_json(const LintReport& report) {
  nlohmann::ordered_json j;
  j["ok"] = report.ok();
  j["groups"] = report.groups;
  j["variants"] = nlohmann::ordered_json::array();
  for (const auto& v : report.variants) {
    nlohmann::ordered_json jv;
    jv["variant"] = v.variant;
    for (const auto& g : report.groups) {
      auto it = v.groups.find(g);
      LintCount c = it == v.groups.end() ? LintCount{} : it->second;
      jv["groups"][g] = {{"pass", c.pass}, {"fail", c.fail}};
    }
    jv["skipped"] = v.skipped;
    j["variants"].push_back(jv);
  }
  j["failures"] = nlohmann::ordered_json::array();
  for (const auto& f : report.failures) {
    nlohmann::ordered_json jf;
    jf["variant"] = f.variant;
    jf["rule"] = f.rule;
    jf["group"] = f.group;
    jf["kind"] = f.kind;
    if (!f.context.empty()) jf["context"] = f.context;
    jf["checks"] = nlohmann::ordered_json::array();
    for (const auto& c : f.checks)
      jf["checks"].push_back({{"condition", c.condition}, {"actual", c.actual}});
    jf["reason"] = f.reason;
    j["failures"].push_back(jf);
  }
  return j.dump(2) + "\n";
}

}  // namespace rk::variants
