#include "kconfig/tree.hpp"

#include <algorithm>

namespace rk::kconfig {

namespace {

// conf keeps symbols in a chained hash table keyed by the FNV-1a-style hash of the name and
// iterates it bucket by bucket, newest first within a bucket; 6.12 grew the table.
uint32_t conf_name_hash(std::string_view name) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<uint32_t>(static_cast<int32_t>(c))) * 0x01000193u;
  return h;
}

}  // namespace

Dialect parse_dialect(std::string_view version) {
  Dialect d{6, 12};
  int parts[2] = {0, 0};
  size_t i = 0;
  for (int k = 0; k < 2; ++k) {
    size_t start = i;
    while (i < version.size() && version[i] >= '0' && version[i] <= '9') {
      parts[k] = parts[k] * 10 + (version[i] - '0');
      ++i;
    }
    if (i == start) return d;
    if (k == 0) {
      if (i >= version.size() || version[i] != '.') return d;
      ++i;
    }
  }
  d.version = parts[0];
  d.patchlevel = parts[1];
  return d;
}

const char* symbol_type_name(SymbolType t) {
  switch (t) {
    case SymbolType::Bool:
      return "bool";
    case SymbolType::Tristate:
      return "tristate";
    case SymbolType::Int:
      return "integer";
    case SymbolType::Hex:
      return "hex";
    case SymbolType::String:
      return "string";
    case SymbolType::Unknown:
      break;
  }
  return "unknown";
}

Tree::Tree() {
  root.flags = kMenuRoot;
  auto make_tristate_const = [this](const char* name, SymbolType type) {
    Symbol& s = symbol_arena_.emplace_back();
    s.name = name;
    s.has_name = true;
    s.type = type;
    s.flags = kSymConst;
    s.id = static_cast<uint32_t>(all_symbols_.size());
    all_symbols_.push_back(&s);
    return &s;
  };
  sym_yes = make_tristate_const("y", SymbolType::Tristate);
  sym_mod = make_tristate_const("m", SymbolType::Tristate);
  sym_no = make_tristate_const("n", SymbolType::Tristate);
  sym_empty = make_tristate_const("", SymbolType::Unknown);
  modules = sym_no;
}

Symbol* Tree::find(std::string_view name) const {
  if (name.size() == 1) {
    if (name[0] == 'y') return sym_yes;
    if (name[0] == 'm') return sym_mod;
    if (name[0] == 'n') return sym_no;
  }
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

Symbol* Tree::lookup(std::string_view name, uint32_t flags) {
  if (name.size() == 1) {
    if (name[0] == 'y') return sym_yes;
    if (name[0] == 'm') return sym_mod;
    if (name[0] == 'n') return sym_no;
  }
  auto& table = (flags & kSymConst) ? consts_ : (flags & kSymChoice) ? named_choices_ : by_name_;
  if (table.empty()) table.reserve(&table == &by_name_ ? 16384 : 256);
  auto [it, inserted] = table.try_emplace(std::string(name), nullptr);
  if (!inserted) return it->second;

  Symbol& s = symbol_arena_.emplace_back();
  it->second = &s;
  s.name = it->first;
  s.has_name = true;
  s.flags = flags;
  s.id = static_cast<uint32_t>(all_symbols_.size());
  all_symbols_.push_back(&s);
  insertion_order_.push_back(&s);
  if (!(flags & kSymConst) && !(flags & kSymChoice)) symbols_.push_back(&s);
  hash_order_.clear();
  return &s;
}

Symbol* Tree::new_choice_symbol() {
  Symbol& s = symbol_arena_.emplace_back();
  s.flags = kSymChoice;
  s.id = static_cast<uint32_t>(all_symbols_.size());
  all_symbols_.push_back(&s);
  insertion_order_.push_back(&s);
  hash_order_.clear();
  return &s;
}

const std::vector<Symbol*>& Tree::symbols_in_hash_order() const {
  if (!hash_order_.empty() || insertion_order_.empty()) return hash_order_;
  const uint32_t buckets = dialect.code() >= 6012 ? (1u << 14) : 9973u;
  std::vector<std::pair<uint32_t, size_t>> keyed;
  keyed.reserve(insertion_order_.size());
  for (size_t i = 0; i < insertion_order_.size(); ++i) {
    const Symbol* s = insertion_order_[i];
    uint32_t bucket = s->has_name ? conf_name_hash(s->name) % buckets : 0;
    keyed.emplace_back(bucket, i);
  }
  // Bucket ascending; within a bucket the newest entry comes first (head insertion).
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  hash_order_.reserve(keyed.size());
  for (auto& [bucket, i] : keyed) hash_order_.push_back(insertion_order_[i]);
  return hash_order_;
}

Expr* Tree::new_expr(ExprKind kind, Expr* left, Expr* right) {
  Expr& e = exprs_.emplace_back();
  e.kind = kind;
  e.left = left;
  e.right = right;
  return &e;
}

Expr* Tree::new_sym_expr(Symbol* s) {
  Expr* e = new_expr(ExprKind::Symbol);
  e->lsym = s;
  return e;
}

Expr* Tree::new_cmp_expr(ExprKind kind, Symbol* l, Symbol* r) {
  Expr* e = new_expr(kind);
  e->lsym = l;
  e->rsym = r;
  return e;
}

Expr* Tree::new_and(Expr* a, Expr* b) {
  if (!a) return b;
  if (!b) return a;
  return new_expr(ExprKind::And, a, b);
}

Expr* Tree::new_or(Expr* a, Expr* b) {
  if (!a) return b;
  if (!b) return a;
  return new_expr(ExprKind::Or, a, b);
}

Expr* Tree::copy(const Expr* e) {
  if (!e) return nullptr;
  Expr* c = new_expr(e->kind);
  c->lsym = e->lsym;
  c->rsym = e->rsym;
  c->left = copy(e->left);
  c->right = copy(e->right);
  return c;
}

Property* Tree::new_property(PropType type) {
  Property& p = props_.emplace_back();
  p.type = type;
  p.id = static_cast<uint32_t>(props_.size() - 1);
  return &p;
}

Menu* Tree::new_menu() {
  return &menus_.emplace_back();
}

const SourceFile* Tree::add_file(std::string name, const SourceFile* parent, int parent_line) {
  SourceFile& f = files_.emplace_back();
  f.name = std::move(name);
  f.parent = parent;
  f.parent_line = parent_line;
  return &f;
}

}  // namespace rk::kconfig
