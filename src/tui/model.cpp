#include "tui/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <set>
#include <unordered_map>

#include "base/file.hpp"
#include "base/file_lock.hpp"
#include "base/text.hpp"
#include "kconfig/confdata.hpp"
#include "kconfig/expr.hpp"
#include "kconfig/menu_help.hpp"
#include "tui/adapters.hpp"
#include "tui/text.hpp"
#include "variants/fragment.hpp"

namespace rk::tui {

namespace kc = rk::kconfig;

std::string tri_text(kc::Tristate t) {
  return std::string(1, kc::tri_char(t));
}

size_t ChangeResult::landed_count() const {
  return static_cast<size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [](const auto& o) { return o.landed; }));
}
size_t ChangeResult::refused_count() const {
  return outcomes.size() - landed_count();
}

namespace {

bool is_bool_like(kc::SymbolType t) {
  return t == kc::SymbolType::Bool || t == kc::SymbolType::Tristate;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string base_key(const kc::Menu* m) {
  if (m->flags & kc::kMenuChoice) return "choice:" + m->prompt->text;
  if (m->sym && m->sym->has_name) return "sym:" + m->sym->name;
  if (m->prompt->type == kc::PropType::Comment) return "comment:" + m->prompt->text;
  return "menu:" + m->prompt->text;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Model::Model(variants::Workspace& ws, std::vector<const variants::Variant*> variants) : ws_(ws) {
  ws_.load_trees(variants);
  for (const variants::Variant* v : variants) {
    VariantState s;
    s.variant = v;
    s.tree = ws_.tree(*v).tree.get();
    vars_.push_back(std::move(s));
  }
  selected_.assign(vars_.size(), false);
  reload();
  build_tree();
  if (!vars_.empty())
    title_ = vars_.front().tree->root.prompt ? vars_.front().tree->root.prompt->text : "";
}

Model::~Model() = default;

void Model::reload() {
  for (VariantState& s : vars_) {
    variants::Evaluation ev = ws_.resolve(*s.variant);
    s.config = std::move(ev.config);
    s.snapshot.clear();
  }
  for (size_t v = 0; v < vars_.size(); ++v) {
    snapshot(v, nullptr);
    vars_[v].base = vars_[v].snapshot;
  }
  pending_.clear();
}

void Model::snapshot(size_t v, size_t* changes) {
  VariantState& s = vars_[v];
  const auto& syms = s.tree->symbols();
  bool fresh = s.snapshot.empty();
  if (fresh) s.snapshot.resize(s.tree->symbol_count());
  for (kc::Symbol* sym : syms) {
    s.config->calc(sym);
    std::string val = s.config->string_value(sym);
    std::string& old = s.snapshot[sym->id];
    if (!fresh && old != val && changes) ++*changes;
    old = std::move(val);
  }
}

void Model::build_tree() {
  root_ = std::make_unique<Node>();
  root_->kind = NodeKind::Root;
  root_->page = true;
  root_->key = "root";
  root_->menus.assign(vars_.size(), nullptr);
  for (size_t v = 0; v < vars_.size(); ++v) {
    root_->menus[v] = &vars_[v].tree->root;
    merge_children(root_.get(), v, &vars_[v].tree->root);
  }
  if (root_->menus.empty() || !root_->menus[0]->prompt) return;
  root_->prompt = root_->menus[0]->prompt->text;
}

void Model::merge_children(Node* into, size_t v, const kc::Menu* parent) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < into->children.size(); ++i) index[into->children[i]->key] = i;
  std::unordered_map<std::string, int> seen;
  size_t insert_at = 0;
  for (const kc::Menu* m = parent->list; m; m = m->next) {
    if (!m->prompt) continue;  // never shown (conf's menu_is_visible needs a prompt)
    std::string key = base_key(m);
    int n = ++seen[key];
    if (n > 1) key += "#" + std::to_string(n);
    Node* node;
    auto it = index.find(key);
    if (it != index.end()) {
      node = into->children[it->second].get();
      insert_at = it->second + 1;
    } else {
      auto fresh = std::make_unique<Node>();
      fresh->key = key;
      fresh->parent = into;
      fresh->menus.assign(vars_.size(), nullptr);
      fresh->prompt = m->prompt->text;
      if (m->flags & kc::kMenuChoice) {
        fresh->kind = NodeKind::Choice;
        fresh->page = true;
        if (m->sym && m->sym->has_name) fresh->name = m->sym->name;
      } else if (m->sym) {
        fresh->kind = NodeKind::Symbol;
        fresh->name = m->sym->name;
        fresh->page = (m->flags & kc::kMenuConfig) != 0;
      } else if (m->prompt->type == kc::PropType::Comment) {
        fresh->kind = NodeKind::Comment;
      } else {
        fresh->kind = NodeKind::Menu;
        fresh->page = true;
      }
      node = fresh.get();
      if (insert_at >= into->children.size()) {
        into->children.push_back(std::move(fresh));
        index[key] = into->children.size() - 1;
        insert_at = into->children.size();
      } else {
        into->children.insert(into->children.begin() + static_cast<long>(insert_at),
                              std::move(fresh));
        index.clear();
        for (size_t i = 0; i < into->children.size(); ++i) index[into->children[i]->key] = i;
        ++insert_at;
      }
    }
    node->menus[v] = m;
    merge_children(node, v, m);
  }
}

bool Model::visible(const Node* n, size_t v) {
  const kc::Menu* m = n->menus[v];
  if (!m) return false;
  if (n->kind == NodeKind::Root) return true;
  return vars_[v].config->menu_visible(m);
}

kc::Symbol* Model::symbol(const Node* n, size_t v) const {
  if (n->kind != NodeKind::Symbol) return nullptr;
  const kc::Menu* m = n->menus[v];
  return m ? m->sym : nullptr;
}

kc::SymbolType Model::type(const Node* n) {
  for (size_t v = 0; v < vars_.size(); ++v)
    if (kc::Symbol* s = symbol(n, v)) return vars_[v].config->effective_type(s);
  return kc::SymbolType::Unknown;
}

std::string Model::cell_text(const Node* n, size_t v) {
  kc::Config& c = *vars_[v].config;
  const kc::Menu* m = n->menus[v];
  switch (n->kind) {
    case NodeKind::Symbol: {
      c.calc(m->sym);
      return c.string_value(m->sym);
    }
    case NodeKind::Choice:
      for (const kc::Menu* child = m->list; child; child = child->next) {
        if (!child->sym) continue;
        c.calc(child->sym);
        if (c.tri(child->sym) == kc::Tristate::Yes) return child->sym->name;
      }
      return "";
    default:
      return "";
  }
}

Cell Model::cell(const Node* n, size_t v) {
  Cell out;
  if (!n->menus[v]) return out;
  if (!visible(n, v)) {
    out.state = CellState::Invisible;
    return out;
  }
  out.state = CellState::Shown;
  out.text = cell_text(n, v);
  if (kc::Symbol* s = symbol(n, v)) {
    out.changeable = vars_[v].config->is_changeable(s);
    auto it = pending_.find(n->name);
    out.pending = it != pending_.end() && it->second.count(v);
  }
  return out;
}

void Model::add_rows(Node* n, int depth, std::vector<Row>& out) {
  bool any = show_all;
  for (size_t v = 0; v < vars_.size() && !any; ++v) any = visible(n, v);
  if (!any) return;
  out.push_back({n, depth});
  if (n->page) return;
  for (auto& c : n->children) add_rows(c.get(), depth + 1, out);
}

std::vector<Row> Model::rows(Node* page) {
  std::vector<Row> out;
  for (auto& c : page->children) add_rows(c.get(), 0, out);
  return out;
}

std::vector<std::optional<FragmentMark>> Model::marks(const Node* n) {
  std::vector<std::optional<FragmentMark>> out(vars_.size());
  if (n->name.empty()) return out;
  const variants::Matrix& m = ws_.matrix();
  for (size_t v = 0; v < vars_.size(); ++v) {
    for (size_t fi : vars_[v].variant->fragments) {
      const std::string& path = m.fragments[fi].path;
      const variants::FragmentSetting* s = ws_.fragment(path).find(n->name);
      if (!s) continue;
      out[v] = FragmentMark{path, variants::requested_value(*s).value_or(s->value)};
    }
  }
  return out;
}

void Model::toggle_column(size_t v) {
  if (v < selected_.size()) selected_[v] = !selected_[v];
}

void Model::clear_selection() {
  selected_.assign(vars_.size(), false);
}

std::vector<size_t> Model::targets() const {
  std::vector<size_t> out;
  for (size_t v = 0; v < vars_.size(); ++v)
    if (selected_[v]) out.push_back(v);
  if (out.empty())
    for (size_t v = 0; v < vars_.size(); ++v) out.push_back(v);
  return out;
}

std::string Model::why_not(const Node* n, size_t v, const std::string& value) {
  const kc::Menu* m = n->menus[v];
  if (!m) return fmt::format("CONFIG_{} does not exist in {}", n->name, vars_[v].variant->name);
  kc::Symbol* s = m->sym;
  if (!s) return "not a symbol";
  kc::Config& c = *vars_[v].config;
  c.calc(s);
  const kc::SymbolState& st = c.st(s);
  kc::SymbolType t = c.effective_type(s);
  auto annotated = [&](const kc::Expr* e) {
    std::string out;
    kc::expr_append_annotated(e, out,
                              [&](const kc::Symbol* x) { return kc::conf_string_value(c, x); });
    return out;
  };
  if (is_bool_like(t)) {
    if (value == "m" && t == kc::SymbolType::Bool)
      return s->type == kc::SymbolType::Tristate ? "modules are off (MODULES=n): only y or n"
                                                 : "a bool: m is not a value it takes";
    kc::Tristate want = value == "y"   ? kc::Tristate::Yes
                        : value == "m" ? kc::Tristate::Mod
                                       : kc::Tristate::No;
    if (st.visible == kc::Tristate::No || want > st.visible) {
      const kc::Expr* dep = m->prompt ? m->prompt->visible : s->dir_dep;
      return fmt::format("depends on {}", annotated(dep));
    }
    if (want < st.rev_dep) return fmt::format("selected by {}", annotated(s->rev_dep));
    if (c.tri(s) != want) return fmt::format("resolves to {}", c.string_value(s));
    return "";
  }
  if (st.visible == kc::Tristate::No) {
    const kc::Expr* dep = m->prompt ? m->prompt->visible : s->dir_dep;
    return fmt::format("depends on {}", annotated(dep));
  }
  if (!kc::string_valid_for(t, value))
    return fmt::format("'{}' is not a valid {} value", value, kc::symbol_type_name(t));
  if (!c.string_within_range(s, value)) {
    const kc::Property* r = c.active_range(s);
    return fmt::format("outside the range {}", r ? annotated(r->expr) : "?");
  }
  return "";
}

ChangeResult Model::apply(Node* n, const std::string& value, const std::vector<size_t>& targets) {
  auto t0 = std::chrono::steady_clock::now();
  ChangeResult r;
  r.symbol = n->name;
  r.value = value;
  for (size_t v : targets) {
    VariantOutcome o;
    o.variant = v;
    kc::Symbol* s = symbol(n, v);
    kc::Config& c = *vars_[v].config;
    if (!s) {
      o.reason = "absent in this tree";
      r.outcomes.push_back(o);
      continue;
    }
    if (!visible(n, v)) {
      o.reason = why_not(n, v, value);
      if (o.reason.empty()) o.reason = "not visible";
      r.outcomes.push_back(o);
      continue;
    }
    kc::SymbolType t = c.effective_type(s);
    bool ok;
    if (is_bool_like(t)) {
      kc::Tristate want = value == "y"   ? kc::Tristate::Yes
                          : value == "m" ? kc::Tristate::Mod
                                         : kc::Tristate::No;
      if (s->choice && c.tree().dialect.new_choice_rules()) {
        ok = want == kc::Tristate::Yes;
        if (ok) c.choice_set_value(s->choice, s);
      } else {
        ok = c.set_tristate(s, want);
      }
    } else {
      ok = c.string_within_range(s, value) && c.set_string(s, value);
    }
    c.calc(s);
    o.landed = ok && c.string_value(s) == value;
    if (!o.landed) {
      o.reason = why_not(n, v, value);
      if (o.reason.empty()) o.reason = fmt::format("resolves to {}", c.string_value(s));
    }
    r.outcomes.push_back(o);
  }
  // The other values of every variant follow lazily: set_tristate/set_string invalidate the
  // configuration and each value is recomputed when it is next read (what the kernel's
  // menuconfig does); computing all of them after each key would cost 15 ms per variant.
  // A value back at what the fragments give (and no fragment line asks otherwise) is no
  // longer pending.
  std::vector<std::optional<FragmentMark>> mk = marks(n);
  for (const VariantOutcome& o : r.outcomes) {
    if (!o.landed) continue;
    kc::Symbol* s = symbol(n, o.variant);
    bool at_base = s && vars_[o.variant].base[s->id] == value &&
                   (!mk[o.variant] || mk[o.variant]->value == value);
    if (at_base) {
      auto it = pending_.find(n->name);
      if (it != pending_.end()) {
        it->second.erase(o.variant);
        if (it->second.empty()) pending_.erase(it);
      }
    } else {
      pending_[n->name][o.variant] = value;
    }
  }
  r.ms = ms_since(t0);
  return r;
}

ChangeResult Model::set_value(Node* n, const std::string& value) {
  if (n->kind == NodeKind::Choice || n->name.empty()) return {};
  return apply(n, value, targets());
}

ChangeResult Model::cycle(Node* n) {
  std::vector<size_t> t = targets();
  for (size_t v : t) {
    if (!visible(n, v)) continue;
    kc::Symbol* s = symbol(n, v);
    if (!s) continue;
    kc::Config& c = *vars_[v].config;
    kc::SymbolType type = c.effective_type(s);
    if (!is_bool_like(type)) return {};
    c.calc(s);
    kc::Tristate cur = c.tri(s);
    // n -> m -> y -> n, like the kernel's menuconfig, skipping values out of range.
    for (int step = 1; step <= 3; ++step) {
      auto next = static_cast<kc::Tristate>((static_cast<int>(cur) + step) % 3);
      if (c.tristate_within_range(s, next)) return apply(n, tri_text(next), t);
    }
    return apply(n, tri_text(cur == kc::Tristate::Yes ? kc::Tristate::No : kc::Tristate::Yes), t);
  }
  return apply(n, "y", t);
}

std::vector<variants::SettingChange> Model::changes() const {
  std::vector<variants::SettingChange> out;
  for (const auto& [name, per_variant] : pending_) {
    bool is_string = false;
    for (const VariantState& vs : vars_)
      if (const kc::Symbol* s = vs.tree->find(name)) {
        is_string = s->type == kc::SymbolType::String;
        break;
      }
    // One change per requested value, naming the variants that want it.
    std::map<std::string, std::vector<std::string>> by_value;
    for (const auto& [v, value] : per_variant) by_value[value].push_back(vars_[v].variant->name);
    for (auto& [value, names] : by_value) {
      variants::SettingChange ch;
      ch.symbol = name;
      ch.value = is_string ? kc::escape_string_value(value) : value;
      ch.variants = std::move(names);
      out.push_back(std::move(ch));
    }
  }
  return out;
}

namespace {

std::vector<std::string> refusal_lines(const variants::EditPlan& plan) {
  std::vector<std::string> out;
  for (const variants::Finding& f : plan.refusals) {
    std::string line = "CONFIG_" + f.symbol;
    if (!f.requested.empty()) line += "=" + f.requested;
    if (!f.variants.empty()) {
      line += " (";
      for (size_t i = 0; i < f.variants.size(); ++i) line += (i ? ", " : "") + f.variants[i];
      line += ")";
    }
    for (size_t i = 0; i < f.why.size(); ++i) line += (i ? "; " : ": ") + f.why[i];
    if (!f.fix_note.empty()) line += " -- " + f.fix_note;
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace

variants::EditPlan Model::plan() {
  return variants::plan_edits(ws_, changes());
}

std::string Model::diff_text() {
  if (pending_.empty()) return "No pending changes.\n";
  variants::EditPlan p = plan();
  std::string out;
  for (const auto& e : refusal_lines(p)) out += "error: " + e + "\n";
  if (p.ok()) out += variants::plan_diff(ws_, p);
  if (out.empty()) out = "No pending changes.\n";
  return out;
}

std::vector<std::string> Model::save() {
  const std::string& matrix_path = ws_.matrix().path;
  std::unique_ptr<base::FileLock> lock;
  try {
    // No log line: the terminal belongs to the screen; the wait is bounded instead.
    lock =
        std::make_unique<base::FileLock>(variants::configuration_lock_path(matrix_path),
                                         "menuconfig", nullptr, nullptr, std::chrono::seconds(30));
    // Under the lock, what is on disk now: another writer may have edited it since loading.
    ws_.reread_matrix();
    ws_.reread_fragments();
  } catch (const std::exception& e) {
    return {e.what()};
  }
  variants::EditPlan p = variants::plan_edits(ws_, changes());
  if (!p.ok()) return refusal_lines(p);
  try {
    variants::write_plan(ws_.matrix(), p);
    ws_.reread_matrix();
    ws_.reread_fragments();
  } catch (const std::exception& e) {
    return {e.what()};
  }
  reload();
  return {};
}

std::vector<Node*> Model::all_nodes() {
  std::vector<Node*> out;
  std::vector<Node*> stack{root_.get()};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (n != root_.get()) out.push_back(n);
    for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back(it->get());
  }
  return out;
}

Node* Model::find_symbol(const std::string& name) {
  for (Node* n : all_nodes())
    if (n->kind == NodeKind::Symbol && n->name == name) return n;
  return nullptr;
}

std::vector<Node*> Model::search(const std::string& query) {
  std::string q = lower(query);
  if (q.rfind("config_", 0) == 0) q = q.substr(7);
  std::vector<Node*> out;
  if (q.empty()) return out;
  for (Node* n : all_nodes())
    if (lower(n->name).find(q) != std::string::npos ||
        lower(n->prompt).find(q) != std::string::npos)
      out.push_back(n);
  return out;
}

std::vector<Node*> Model::path_to(Node* n) {
  std::vector<Node*> out;
  for (Node* p = n->parent; p; p = p->parent)
    if (p->page) out.push_back(p);
  std::reverse(out.begin(), out.end());
  return out;
}

std::string Model::help_text(Node* n, size_t v, size_t width) {
  std::string out;
  if (const kc::Menu* m = n->menus[v]) {
    kc::HelpOptions o;
    o.max_width = width;
    out += kc::menu_help(*vars_[v].config, m, o);
  } else {
    out += fmt::format("This entry does not exist in {}.\n", vars_[v].variant->name);
  }
  if (!n->name.empty() && n->kind == NodeKind::Symbol) {
    std::vector<LiveVariant> live;
    for (auto& s : vars_) live.push_back({s.variant, s.config.get()});
    out += "\n" + explain_view(ws_, live, n->name, width);
  }
  return out;
}

std::vector<std::string> Model::diagnose(const Node* n, size_t v, const std::string& value) {
  std::string allconfig = ws_.merged_fragments(*vars_[v].variant);
  bool is_string = false;
  if (kc::Symbol* s = vars_[v].tree->find(n->name)) is_string = s->type == kc::SymbolType::String;
  auto line = [&](const std::string& name, const std::string& val, bool str) {
    if (val == "n") return fmt::format("# CONFIG_{} is not set\n", name);
    return fmt::format("CONFIG_{}={}\n", name, str ? kc::escape_string_value(val) : val);
  };
  for (const auto& [name, per_variant] : pending_) {
    auto it = per_variant.find(v);
    if (it == per_variant.end() || name == n->name) continue;
    kc::Symbol* s = vars_[v].tree->find(name);
    allconfig += line(name, it->second, s && s->type == kc::SymbolType::String);
  }
  allconfig += line(n->name, value, is_string);
  return diagnose_refusal(ws_, *vars_[v].variant, allconfig, n->name, value);
}

std::string Model::config_text(size_t v) {
  return kc::render_config(*vars_[v].config);
}

}  // namespace rk::tui
