#include "parity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "variants/lint.hpp"
#include "variants/matrix.hpp"

namespace rk::variants {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::pair<std::string_view, int>> numbered_lines(std::string_view text) {
  std::vector<std::pair<std::string_view, int>> out;
  size_t pos = 0;
  int n = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(pos, nl - pos), ++n);
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> split_tabs(std::string_view line) {
  std::vector<std::string> cells;
  size_t pos = 0;
  while (true) {
    size_t tab = line.find('\t', pos);
    cells.emplace_back(trimmed(line.substr(pos, tab == std::string_view::npos ? tab : tab - pos)));
    if (tab == std::string_view::npos) break;
    pos = tab + 1;
  }
  return cells;
}

// "| a | b \| c |" -> {"a", "b | c"}; a cell wrapped in backticks loses them.
std::vector<std::string> split_row(std::string_view line) {
  line = trimmed(line);
  if (!line.empty() && line.front() == '|') line.remove_prefix(1);
  if (!line.empty() && line.back() == '|' && !(line.size() > 1 && line[line.size() - 2] == '\\'))
    line.remove_suffix(1);
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cur += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.emplace_back(trimmed(cur));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  cells.emplace_back(trimmed(cur));
  for (auto& c : cells)
    if (c.size() >= 2 && c.front() == '`' && c.back() == '`') c = c.substr(1, c.size() - 2);
  return cells;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

const char* parity_issue_name(ParityIssueKind k) {
  switch (k) {
    case ParityIssueKind::Mismatch:
      return "mismatch";
    case ParityIssueKind::MissingReason:
      return "missing-reason";
    case ParityIssueKind::BadRow:
      return "bad-row";
    case ParityIssueKind::StaleMatches:
      return "stale-matches";
    case ParityIssueKind::StaleNotSet:
      return "stale-not-set";
    case ParityIssueKind::StaleNotInTable:
      return "stale-not-in-table";
    case ParityIssueKind::WrongOldValue:
      return "wrong-old-value";
    case ParityIssueKind::WrongOurs:
      return "wrong-ours";
    case ParityIssueKind::NotResolved:
      return "not-resolved";
  }
  return "?";
}

SeedTable parse_seed_table(std::string_view text, const std::string& path) {
  SeedTable t;
  std::set<std::string> seen;
  bool header = false;
  for (auto [line, n] : numbered_lines(text)) {
    if (trimmed(line).empty()) continue;
    std::vector<std::string> cells = split_tabs(line);
    if (!header) {
      if (cells.size() < 2 || cells[0] != "symbol")
        throw VariantsError(
            ErrorKind::kParity,
            fmt::format("{}:{}: expected the header 'symbol<TAB>variant<TAB>...'", path, n));
      t.variants.assign(cells.begin() + 1, cells.end());
      header = true;
      continue;
    }
    if (cells.size() != t.variants.size() + 1)
      throw VariantsError(ErrorKind::kParity,
                          fmt::format("{}:{}: {} cell(s), the header has {}", path, n, cells.size(),
                                      t.variants.size() + 1));
    if (cells[0].empty() || cells[0].rfind("CONFIG_", 0) == 0)
      throw VariantsError(
          ErrorKind::kParity,
          fmt::format("{}:{}: the symbol cell must name a symbol without CONFIG_", path, n));
    if (!seen.insert(cells[0]).second)
      throw VariantsError(ErrorKind::kParity,
                          fmt::format("{}:{}: {} is listed twice", path, n, cells[0]));
    SeedTable::Row row;
    row.symbol = cells[0];
    row.values.assign(cells.begin() + 1, cells.end());
    row.line = n;
    for (auto& v : row.values)
      if (v.empty())
        throw VariantsError(ErrorKind::kParity,
                            fmt::format("{}:{}: empty cell (write - for not set)", path, n));
    t.rows.push_back(std::move(row));
  }
  if (!header) throw VariantsError(ErrorKind::kParity, fmt::format("{}: empty seed table", path));
  return t;
}

std::vector<DroppedRow> parse_dropped(std::string_view text, const std::string& path,
                                      const std::vector<std::string>& all_variants) {
  std::vector<DroppedRow> rows;
  bool in_table = false, found = false;
  for (auto [line, n] : numbered_lines(text)) {
    std::string_view t = trimmed(line);
    if (!in_table) {
      if (t.empty() || t.front() != '|') continue;
      auto cells = split_row(t);
      if (cells.size() >= 5 && lower(cells[0]) == "symbol" && lower(cells[1]) == "variants") {
        if (cells.size() != 5 || lower(cells[2]) != "old value" || lower(cells[3]) != "ours" ||
            lower(cells[4]) != "reason")
          throw VariantsError(
              ErrorKind::kParity,
              fmt::format(
                  "{}:{}: the table's columns must be | symbol | variants | old value | ours | "
                  "reason |",
                  path, n));
        in_table = found = true;
      }
      continue;
    }
    if (t.empty() || t.front() != '|') {
      in_table = false;  // the table ended
      continue;
    }
    auto cells = split_row(t);
    if (std::all_of(cells.begin(), cells.end(), [](const std::string& c) {
          return !c.empty() && c.find_first_not_of("-: ") == std::string::npos;
        }))
      continue;  // the | --- | separator
    if (cells.size() != 5)
      throw VariantsError(
          ErrorKind::kParity,
          fmt::format("{}:{}: a row needs 5 cells (symbol, variants, old value, ours, reason), "
                      "got {}",
                      path, n, cells.size()));
    DroppedRow r;
    r.symbol = cells[0];
    if (r.symbol.rfind("CONFIG_", 0) == 0) r.symbol = r.symbol.substr(7);
    r.old_value = cells[2];
    r.ours = cells[3];
    r.reason = cells[4];
    r.line = n;
    if (trimmed(cells[1]) == "all") {
      r.variants = all_variants;
    } else {
      std::string_view list = cells[1];
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        std::string_view item =
            trimmed(list.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
        if (!item.empty()) r.variants.emplace_back(item);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
      }
    }
    rows.push_back(std::move(r));
  }
  if (!found)
    throw VariantsError(
        ErrorKind::kParity,
        fmt::format(
            "{}: no table with the header | symbol | variants | old value | ours | reason |",
            path));
  return rows;
}

ParityResult check_parity(const SeedTable& seed, const std::vector<DroppedRow>& dropped,
                          const std::map<std::string, std::string>& resolved,
                          const std::string& dropped_path) {
  ParityResult res;
  std::map<std::string, ConfigValues> ours;
  for (const auto& v : seed.variants) {
    auto it = resolved.find(v);
    if (it == resolved.end()) {
      res.issues.push_back({ParityIssueKind::NotResolved, "", v, "", "",
                            "no resolved configuration for this seed-table variant"});
      continue;
    }
    ours[v] = parse_config_values(it->second);
  }
  auto our_value = [&](const std::string& variant, const std::string& sym) -> std::string {
    auto it = ours.find(variant);
    if (it == ours.end()) return "?";
    const std::string* v = it->second.find(sym);
    return v ? *v : "-";
  };
  std::map<std::string, const SeedTable::Row*> seed_rows;
  for (const auto& row : seed.rows) seed_rows[row.symbol] = &row;
  auto column = [&](const std::string& variant) -> long {
    auto it = std::find(seed.variants.begin(), seed.variants.end(), variant);
    return it == seed.variants.end() ? -1 : it - seed.variants.begin();
  };
  auto at = [&](const DroppedRow& r) { return fmt::format("{}:{}", dropped_path, r.line); };

  // DROPPED rows by (symbol, variant), each checked for being well-formed and still needed.
  std::map<std::pair<std::string, std::string>, const DroppedRow*> listed;
  for (const DroppedRow& r : dropped) {
    if (trimmed(r.reason).empty())
      res.issues.push_back({ParityIssueKind::MissingReason, r.symbol, "", r.old_value, r.ours,
                            at(r) + ": the row gives no reason"});
    if (r.variants.empty())
      res.issues.push_back({ParityIssueKind::BadRow, r.symbol, "", r.old_value, r.ours,
                            at(r) + ": the row names no variant"});
    const SeedTable::Row* row = seed_rows.count(r.symbol) ? seed_rows[r.symbol] : nullptr;
    if (!row)
      res.issues.push_back({ParityIssueKind::StaleNotInTable, r.symbol, "", r.old_value, r.ours,
                            at(r) + ": no old config set this symbol; remove the row"});
    for (const std::string& v : r.variants) {
      long col = column(v);
      if (col < 0) {
        res.issues.push_back(
            {ParityIssueKind::BadRow, r.symbol, v, r.old_value, r.ours,
             at(r) + fmt::format(": '{}' is not a seed-table variant (use 'all' or variant names "
                                 "from the seed table's header)",
                                 v)});
        continue;
      }
      auto [it, fresh] = listed.emplace(std::pair{r.symbol, v}, &r);
      if (!fresh) {
        res.issues.push_back(
            {ParityIssueKind::BadRow, r.symbol, v, r.old_value, r.ours,
             at(r) + fmt::format(": listed again (first at line {})", it->second->line)});
        continue;
      }
      if (!row) continue;
      const std::string& old = row->values[static_cast<size_t>(col)];
      std::string mine = our_value(v, r.symbol);
      if (old == "-") {
        res.issues.push_back({ParityIssueKind::StaleNotSet, r.symbol, v, old, mine,
                              at(r) + ": the old config of this variant did not set it; drop "
                                      "the variant from the row"});
      } else if (old == mine) {
        res.issues.push_back({ParityIssueKind::StaleMatches, r.symbol, v, old, mine,
                              at(r) + ": the value now matches the old config; drop the "
                                      "variant from the row"});
      } else {
        if (r.old_value != old)
          res.issues.push_back(
              {ParityIssueKind::WrongOldValue, r.symbol, v, old, mine,
               at(r) + fmt::format(": the row says old value {}, the seed table {}", r.old_value,
                                   old)});
        if (mine != "?" && r.ours != mine)
          res.issues.push_back(
              {ParityIssueKind::WrongOurs, r.symbol, v, old, mine,
               at(r) + fmt::format(": the row says ours {}, we resolve {}", r.ours, mine)});
      }
    }
  }

  for (const auto& row : seed.rows) {
    for (size_t col = 0; col < seed.variants.size(); ++col) {
      const std::string& old = row.values[col];
      if (old == "-") continue;
      const std::string& v = seed.variants[col];
      if (!ours.count(v)) continue;
      ++res.checked;
      std::string mine = our_value(v, row.symbol);
      if (mine == old) {
        ++res.matched;
      } else if (listed.count({row.symbol, v})) {
        ++res.dropped;
      } else {
        res.issues.push_back(
            {ParityIssueKind::Mismatch, row.symbol, v, old, mine,
             fmt::format("the old config set {}, we resolve {}: fix the fragments or add a row "
                         "to {}",
                         old, mine, dropped_path)});
      }
    }
  }
  return res;
}

std::string format_parity(const ParityResult& r) {
  std::string out = fmt::format(
      "parity: {} old settings checked: {} match, {} explained in DROPPED.md, {} issue(s)\n",
      r.checked, r.matched, r.dropped, r.issues.size());
  for (const auto& i : r.issues)
    out += fmt::format("  [{}] {} {}: old {} ours {}: {}\n", parity_issue_name(i.kind), i.symbol,
                       i.variant.empty() ? "-" : i.variant, i.old_value.empty() ? "-" : i.old_value,
                       i.ours.empty() ? "-" : i.ours, i.detail);
  return out;
}

}  // namespace rk::variants
