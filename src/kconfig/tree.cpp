#include "kconfig/tree.hpp"

#include <algorithm>
#include <cstring>

namespace rk::kconfig {

namespace {

// conf keeps symbols in a chained hash table keyed by the FNV-1a-style hash of the name and
// iterates it bucket by bucket, newest first within a bucket; 6.12 grew the table.
uint32_t conf_name_hash(std::string_view name) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<uint32_t>(static_cast<int32_t>(c))) * 0x01000193u;
  return h;
}

// A fast 64-bit hash of a name for the symbol tables (names are short; 8 bytes a step).
uint64_t name_hash(std::string_view name) {
  constexpr uint64_t kMul = 0x9fb21c651e98df25ull;
  const char* p = name.data();
  size_t n = name.size();
  uint64_t h = static_cast<uint64_t>(n) * kMul;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
  }
  h ^= h >> 32;
  h *= kMul;
  return h ^ (h >> 29);
}

}  // namespace

uint64_t Tree::name_hash(std::string_view name) {
  return ::rk::kconfig::name_hash(name);
}

Symbol* Tree::NameTable::find(std::string_view name, uint64_t hash) const {
  if (slots.empty()) return nullptr;
  const size_t mask = slots.size() - 1;
  for (size_t i = static_cast<size_t>(hash >> 32) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots[i];
    if (!slot.sym) return nullptr;
    if (slot.hash == hash && slot.sym->name == name) return slot.sym;
  }
}

void Tree::NameTable::insert(Symbol* sym, uint64_t hash) {
  if ((used + 1) * 3 > slots.size() * 2) {
    std::vector<Slot> old(std::max<size_t>(slots.size() * 2, 1024));
    old.swap(slots);
    const size_t mask = slots.size() - 1;
    for (const Slot& s : old) {
      if (!s.sym) continue;
      size_t i = static_cast<size_t>(s.hash >> 32) & mask;
      while (slots[i].sym) i = (i + 1) & mask;
      slots[i] = s;
    }
  }
  const size_t mask = slots.size() - 1;
  size_t i = static_cast<size_t>(hash >> 32) & mask;
  while (slots[i].sym) i = (i + 1) & mask;
  slots[i] = {hash, sym};
  ++used;
}

Dialect parse_dialect(std::string_view version) {
  Dialect d = kNewestDialect;
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
  return by_name_.find(name, name_hash(name));
}

Symbol* Tree::lookup(std::string_view name, uint32_t flags) {
  if (name.size() == 1) {
    if (name[0] == 'y') return sym_yes;
    if (name[0] == 'm') return sym_mod;
    if (name[0] == 'n') return sym_no;
  }
  NameTable& table = (flags & kSymConst)    ? consts_
                     : (flags & kSymChoice) ? named_choices_
                                            : by_name_;
  const uint64_t hash = name_hash(name);
  if (Symbol* known = table.find(name, hash)) return known;

  Symbol& s = symbol_arena_.emplace_back();
  s.name = name;
  table.insert(&s, hash);
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
  const uint32_t buckets = symbol_hash_buckets(dialect);
  // Bucket ascending; within a bucket the newest entry comes first (head insertion). A
  // counting sort: bucket sizes, their starts, then every symbol, newest first, into place.
  const size_t n = insertion_order_.size();
  std::vector<uint32_t> bucket(n);
  std::vector<uint32_t> start(buckets + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const Symbol* s = insertion_order_[i];
    bucket[i] = s->has_name ? conf_name_hash(s->name) % buckets : 0;
    ++start[bucket[i] + 1];
  }
  for (uint32_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  hash_order_.resize(n);
  for (size_t i = n; i-- > 0;) hash_order_[start[bucket[i]]++] = insertion_order_[i];
  return hash_order_;
}

Expr* Tree::new_expr(ExprKind kind, Expr* left, Expr* right) {
  Expr& e = exprs_.emplace_back();
  e.kind = kind;
  e.left = left;
  e.right = right;
  return &e;
}

Expr* Tree::new_conf_expr(ExprKind kind) {
  Expr& e = conf_exprs_.emplace_back();
  e.kind = kind;
  return &e;
}

Expr* Tree::new_sym_expr(Symbol* s) {
  Expr* e = new_expr(ExprKind::Symbol);
  e->set_syms(s, nullptr);
  return e;
}

Expr* Tree::new_cmp_expr(ExprKind kind, Symbol* l, Symbol* r) {
  Expr* e = new_expr(kind);
  e->set_syms(l, r);
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
  c->set_syms(e->lsym, e->rsym);
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
