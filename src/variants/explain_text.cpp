// `config explain`'s side-by-side text view of an ExplainResult (explain.cpp gathers it).
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "variants/explain.hpp"

namespace rk::variants {

using kconfig::Tristate;

namespace {

struct Row {
  std::string label;
  std::vector<std::string> cells;  // one per variant; may hold several lines
  bool facts = true;  // a fact about the symbol: variants without it have an empty cell
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string tri_text(Tristate t) {
  return std::string(1, kconfig::tri_char(t));
}

std::string cond_suffix(const ExplainExpr& e) {
  return e.empty() ? std::string() : " if " + e.text;
}

std::string short_branch(const std::string& variant) {
  size_t dash = variant.find('-');
  return dash == std::string::npos ? variant : variant.substr(0, dash);
}

// Greedy word wrap at spaces (long words are split); with `hang`, continuation lines of a
// wrapped line are indented by two spaces.
std::vector<std::string> wrap(const std::string& text, size_t width, bool hang = true) {
  width = std::max<size_t>(width, 8);
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    std::string rest = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::string prefix;
    while (true) {
      size_t avail = width - prefix.size();
      if (rest.size() <= avail) {
        out.push_back(prefix + rest);
        break;
      }
      size_t cut = rest.rfind(' ', avail);
      if (cut == std::string::npos || cut == 0) cut = avail;
      std::string head = rest.substr(0, cut);
      while (!head.empty() && head.back() == ' ') head.pop_back();
      out.push_back(prefix + head);
      size_t next = cut;
      while (next < rest.size() && rest[next] == ' ') ++next;
      rest = rest.substr(next);
      if (rest.empty()) break;
      if (hang) prefix = "  ";
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::string pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::vector<Row> build_rows(const ExplainResult& r) {
  std::map<std::string, std::vector<std::string>> missing_by_branch, variants_by_branch;
  for (const auto& v : r.variants) {
    variants_by_branch[short_branch(v.variant)].push_back(v.variant);
    if (!v.found) missing_by_branch[short_branch(v.variant)].push_back(v.variant);
  }
  std::vector<Row> rows;
  auto add = [&](const std::string& label, auto&& cell) {
    Row row{label, {}};
    for (const auto& v : r.variants) {
      if (!v.found) {
        row.cells.push_back("");
        continue;
      }
      std::string c = cell(v);
      row.cells.push_back(c.empty() ? "-" : c);
    }
    bool any = std::any_of(row.cells.begin(), row.cells.end(),
                           [](const std::string& c) { return !c.empty() && c != "-"; });
    if (any) rows.push_back(std::move(row));
  };

  Row value{"value", {}, false};
  for (const auto& v : r.variants) {
    if (v.found) {
      value.cells.push_back(v.value + (v.in_config ? "" : " (not in .config)"));
      continue;
    }
    std::string b = short_branch(v.variant);
    bool whole_branch = missing_by_branch[b].size() == variants_by_branch[b].size();
    value.cells.push_back("(not in " + (whole_branch ? b : v.variant) + ")");
  }
  rows.push_back(std::move(value));
  if (std::any_of(r.variants.begin(), r.variants.end(), [](const auto& v) { return !v.found; })) {
    Row near{"similar names", {}, false};
    for (const auto& v : r.variants)
      near.cells.push_back(v.found ? "" : (v.near_names.empty() ? "-" : join(v.near_names, ", ")));
    rows.push_back(std::move(near));
  }
  add("type", [](const VariantExplanation& v) { return v.type; });
  add("prompt", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& p : v.prompts)
      lines.push_back("\"" + p.text + "\"" + cond_suffix(p.condition) +
                      (p.visible ? " (visible)" : " (hidden)"));
    return lines.empty() ? std::string("(none: not user-settable)") : join(lines, "\n");
  });
  add("defined at", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& d : v.definitions) lines.push_back(d.file + ":" + std::to_string(d.line));
    return join(lines, "\n");
  });
  add("depends on", [](const VariantExplanation& v) {
    if (v.depends_on.empty()) return std::string("(nothing)");
    return v.depends_on.text + "  => " + tri_text(v.depends_on.value);
  });
  auto relations = [](const std::vector<ExplainRelation>& rel) {
    std::vector<std::string> lines;
    for (const auto& x : rel)
      lines.push_back(x.symbol + " [=" + x.value + "]" + cond_suffix(x.condition));
    return join(lines, "\n");
  };
  auto reverse = [](const std::vector<ExplainRelation>& rel) {
    std::vector<std::string> lines;
    for (const auto& x : rel) lines.push_back(x.condition.text + "  => " + tri_text(x.strength));
    return join(lines, "\n");
  };
  add("selects", [&](const VariantExplanation& v) { return relations(v.selects); });
  add("selected by", [&](const VariantExplanation& v) { return reverse(v.selected_by); });
  add("implies", [&](const VariantExplanation& v) { return relations(v.implies); });
  add("implied by", [&](const VariantExplanation& v) { return reverse(v.implied_by); });
  add("defaults", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& d : v.defaults)
      lines.push_back(d.value.text + cond_suffix(d.condition) + (d.active ? "  (active)" : ""));
    return join(lines, "\n");
  });
  add("range", [](const VariantExplanation& v) {
    std::vector<std::string> lines;
    for (const auto& x : v.ranges) {
      std::string lo = x.min == x.min_value ? x.min : x.min + " [=" + x.min_value + "]";
      std::string hi = x.max == x.max_value ? x.max : x.max + " [=" + x.max_value + "]";
      lines.push_back(lo + ".." + hi + cond_suffix(x.condition) + (x.active ? "  (active)" : ""));
    }
    return join(lines, "\n");
  });
  add("choice", [](const VariantExplanation& v) {
    if (!v.in_choice) return std::string();
    const ExplainChoice& c = v.choice;
    std::string head = "\"" + c.prompt + "\"" + (c.name.empty() ? "" : " (" + c.name + ")");
    head +=
        ": " + (c.selected.empty() ? std::string("nothing selected") : c.selected + " selected");
    std::vector<std::string> members;
    for (const auto& [n, val] : c.members) members.push_back(n + "=" + val);
    return head + "\nmembers: " + join(members, " ");
  });
  add("requested by", [](const VariantExplanation& v) {
    if (v.requests.empty()) return std::string("default (no fragment sets it)");
    std::vector<std::string> lines;
    for (const auto& q : v.requests) {
      std::string l = q.fragment + ":" + std::to_string(q.line) + ": " + q.requested;
      if (!q.effective)
        l += " (overridden by a later fragment)";
      else if (!q.honored)
        l += " (NOT honoured: got " + v.value + ")";
      lines.push_back(l);
    }
    return join(lines, "\n");
  });
  return rows;
}

// Variants grouped by identical cell text, in first-appearance order.
std::vector<std::pair<std::vector<std::string>, std::string>> groups(
    const std::vector<std::string>& names, const std::vector<std::string>& cells) {
  std::vector<std::pair<std::vector<std::string>, std::string>> out;
  for (size_t i = 0; i < cells.size(); ++i) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.second == cells[i]; });
    if (it == out.end())
      out.push_back({{names[i]}, cells[i]});
    else
      it->first.push_back(names[i]);
  }
  return out;
}

}  // namespace

std::string render_text(const ExplainResult& r, size_t width) {
  if (width < 40) width = 40;
  std::string out;
  std::vector<std::string> names;
  for (const auto& v : r.variants) names.push_back(v.variant);
  std::vector<Row> rows = build_rows(r);

  std::string title = "CONFIG_" + r.symbol;
  for (const auto& v : r.variants)
    if (v.found && !v.prompts.empty()) {
      title += ": " + v.prompts.front().text;
      break;
    }
  for (const auto& l : wrap(title, width, false)) out += l + "\n";

  size_t label_w = 0;
  for (const auto& row : rows) label_w = std::max(label_w, row.label.size());
  label_w += 2;
  const size_t gap = 2;
  size_t n = std::max<size_t>(1, names.size());
  size_t avail = width > label_w ? width - label_w : 0;
  size_t col_w = avail > (n - 1) * gap ? (avail - (n - 1) * gap) / n : 0;
  size_t longest_name = 0;
  for (const auto& nm : names) longest_name = std::max(longest_name, nm.size());
  bool columns = names.size() > 1 && col_w >= std::max<size_t>(16, longest_name);
  size_t span_w = width - label_w;

  if (columns) {
    std::string header = std::string(label_w, ' ');
    for (size_t i = 0; i < names.size(); ++i)
      header += (i ? std::string(gap, ' ') : "") + pad(names[i], i + 1 < names.size() ? col_w : 0);
    out += header + "\n";
    out += std::string(std::min(width, label_w + n * col_w + (n - 1) * gap), '-') + "\n";
  } else if (names.size() > 1) {
    out += "variants: " + join(names, ", ") + "\n";
  }

  auto emit_span = [&](const std::string& label, const std::string& text) {
    std::vector<std::string> lines = wrap(text, span_w);
    for (size_t i = 0; i < lines.size(); ++i) out += pad(i ? "" : label, label_w) + lines[i] + "\n";
  };

  for (const Row& row : rows) {
    // Identical in every variant that has the symbol: one spanning line.
    std::vector<std::string> compared;
    for (size_t i = 0; i < row.cells.size(); ++i)
      if (!row.facts || r.variants[i].found) compared.push_back(row.cells[i]);
    bool same = !compared.empty() &&
                std::all_of(compared.begin(), compared.end(),
                            [&](const std::string& c) { return c == compared.front(); });
    if (same) {
      emit_span(row.label, compared.front());
      continue;
    }
    if (columns) {
      std::vector<std::vector<std::string>> wrapped;
      size_t height = 0;
      for (const auto& c : row.cells) {
        wrapped.push_back(wrap(c, col_w));
        height = std::max(height, wrapped.back().size());
      }
      for (size_t li = 0; li < height; ++li) {
        std::string line = pad(li ? "" : row.label, label_w);
        for (size_t i = 0; i < wrapped.size(); ++i) {
          std::string cell = li < wrapped[i].size() ? wrapped[i][li] : "";
          line +=
              (i ? std::string(gap, ' ') : "") + (i + 1 < wrapped.size() ? pad(cell, col_w) : cell);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
      }
      continue;
    }
    // Stacked: one block per group of variants with the same text.
    out += row.label + ":\n";
    for (const auto& [who, text] : groups(names, row.cells)) {
      if (text.empty()) continue;  // variants without the symbol
      out += "  " + join(who, ", ") + ":\n";
      for (const auto& l : wrap(text, width > 4 ? width - 4 : width)) out += "    " + l + "\n";
    }
  }

  // Help: once when every variant that knows the symbol has the same text.
  std::vector<std::string> help_names, help_cells;
  for (const auto& v : r.variants)
    if (v.found) {
      help_names.push_back(v.variant);
      help_cells.push_back(v.help.empty() ? "(no help text)" : v.help);
    }
  if (!help_cells.empty()) {
    auto g = groups(help_names, help_cells);
    for (const auto& [who, text] : g) {
      out += g.size() == 1 ? std::string("help:\n") : "help (" + join(who, ", ") + "):\n";
      for (const auto& l : wrap(text, width > 2 ? width - 2 : width, false))
        out += (l.empty() ? "" : "  " + l) + "\n";
    }
  }
  return out;
}

}  // namespace rk::variants
