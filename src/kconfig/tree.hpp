// The parsed Kconfig tree: symbols, their properties, expressions and the menu structure.
//
// A Tree is immutable once parse_kconfig() returns it; values live in Config objects (config.hpp),
// so any number of configurations can be evaluated over one tree at the same time. All nodes are
// owned by the tree's arenas and referenced by plain pointers, which stay valid for the tree's
// lifetime because the arenas never relocate their elements.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "kconfig/dialect.hpp"
#include "kconfig/tristate.hpp"

namespace rk::kconfig {

struct Symbol;
struct Menu;

// Storage for nodes that must never move: elements are constructed in place in blocks of
// `kBlock` and destroyed with the arena. Far fewer allocations than a std::deque (whose blocks
// hold 512 bytes), and trivially destructible elements cost nothing to release.
template <typename T, size_t kBlock = 1024>
class BlockArena {
 public:
  BlockArena() = default;
  BlockArena(const BlockArena&) = delete;
  BlockArena& operator=(const BlockArena&) = delete;
  ~BlockArena() { clear(); }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (blocks_.empty() || used_ == kBlock) next_block();
    T* p = ::new (static_cast<void*>(blocks_[cur_].get() + used_ * sizeof(T)))
        T(std::forward<Args>(args)...);
    ++used_;
    ++size_;
    return *p;
  }
  size_t size() const { return size_; }
  // Default-constructs elements until there are `n`.
  void grow_to(size_t n) {
    while (size_ < n) {
      if (blocks_.empty() || used_ == kBlock) next_block();
      size_t batch = std::min(kBlock - used_, n - size_);
      T* p = reinterpret_cast<T*>(blocks_[cur_].get()) + used_;
      for (size_t i = 0; i < batch; ++i) ::new (static_cast<void*>(p + i)) T();
      used_ += batch;
      size_ += batch;
    }
  }
  // Makes room for elements up to `n` without constructing them, for a caller that constructs
  // every one of them in place before anything reads it (a restore, which knows all the values
  // and addresses up front and would otherwise write each element twice).
  void grow_to_unconstructed(size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "nothing would destroy them");
    while (size_ < n) {
      if (blocks_.empty() || used_ == kBlock) next_block();
      size_t batch = std::min(kBlock - used_, n - size_);
      used_ += batch;
      size_ += batch;
    }
  }
  // The i-th element in construction order (i < size()).
  T& operator[](size_t i) { return *at(i); }
  const T& operator[](size_t i) const { return *at(i); }
  // Destroys every element; keeps the first block for reuse.
  void clear() {
    if constexpr (!std::is_trivially_destructible_v<T>) {
      for (size_t b = 0; b < blocks_.size() && b <= cur_; ++b) {
        T* base = reinterpret_cast<T*>(blocks_[b].get());
        size_t n = b == cur_ ? used_ : kBlock;
        for (size_t i = 0; i < n; ++i) base[i].~T();
      }
    }
    if (blocks_.size() > 1) blocks_.resize(1);
    cur_ = 0;
    used_ = 0;
    size_ = 0;
  }

 private:
  struct Free {
    void operator()(std::byte* p) const { ::operator delete (p, std::align_val_t{alignof(T)}); }
  };
  T* at(size_t i) const { return reinterpret_cast<T*>(blocks_[i / kBlock].get()) + i % kBlock; }
  void next_block() {
    if (!blocks_.empty() && cur_ + 1 < blocks_.size()) {
      ++cur_;
    } else {
      blocks_.emplace_back(static_cast<std::byte*>(
          ::operator new (sizeof(T) * kBlock, std::align_val_t{alignof(T)})));
      cur_ = blocks_.size() - 1;
    }
    used_ = 0;
  }
  std::vector<std::unique_ptr<std::byte, Free>> blocks_;
  size_t cur_ = 0;
  size_t used_ = 0;
  size_t size_ = 0;
};

enum class ExprKind : uint8_t {
  None,
  Or,
  And,
  Not,
  Equal,
  Unequal,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  List,    // choice member list: left_expr = rest of list, right_sym = member
  Symbol,  // left_sym
  Range,   // left_sym .. right_sym
};

struct Expr {
  ExprKind kind = ExprKind::None;
  // Finalize's dependency-loop check: this subexpression was walked without finding a loop,
  // and never will (expressions share subtrees, so the walk meets them again and again).
  bool loop_free = false;
  // Non-zero for the dependency of a menu entry (Menu::dep), which every property and child
  // of the entry evaluates again: a Config remembers its value (see Config::eval).
  uint32_t memo = 0;
  Expr* left = nullptr;  // Or/And/Not/List operands
  Expr* right = nullptr;
  Symbol* lsym = nullptr;  // Symbol, comparisons, Range
  Symbol* rsym = nullptr;
  // lsym->id, which evaluation needs for nearly every node: kept here, it costs no visit to
  // the symbol, whose record is elsewhere in memory. Set with set_syms().
  uint32_t lsym_id = 0;

  inline void set_syms(Symbol* l, Symbol* r);
};

enum class SymbolType : uint8_t { Unknown, Bool, Tristate, Int, Hex, String };
const char* symbol_type_name(SymbolType t);

enum class PropType : uint8_t {
  Unknown,
  Prompt,   // prompt of a config/choice
  Comment,  // text of a 'comment'
  Menu,     // prompt of a 'menu' (and of 'menuconfig' symbols in 5.10/6.1 is still P_PROMPT)
  Default,
  Choice,  // pre-6.11: the choice symbol's member list
  Select,
  Imply,
  Range,
  Symbol,  // pre-6.11: marks the symbol's definition location
};

struct SourceFile {
  std::string name;  // as conf prints it (relative to srctree when found there)
  const SourceFile* parent = nullptr;
  int parent_line = 0;
};

struct Property {
  PropType type = PropType::Unknown;
  uint32_t id = 0;           // index into per-config property state
  Property* next = nullptr;  // next property of the same symbol
  Expr* expr = nullptr;      // default value, select/imply target, range, choice list
  Expr* visible = nullptr;   // the 'if' condition, with menu dependencies after finalize
  Menu* menu = nullptr;      // the menu entry the property belongs to
  std::string text;          // prompt/comment/menu text
  // `visible` as conf stores it after its simplifications (expr_transform, expr_eliminate_dups):
  // what conf prints and what its menu structure is built from. Evaluation uses `visible`.
  // Built on demand: read it only after Tree::ensure_conf_forms() (see Menu::conf_dep).
  Expr* conf_visible = nullptr;
  const SourceFile* file = nullptr;
  int line = 0;
};

// Static symbol flags (set by the parser/finalizer; per-configuration flags live in Config).
enum SymbolFlag : uint32_t {
  kSymConst = 1u << 0,
  kSymChoice = 1u << 1,       // pre-6.11 choice symbol (nameless or named)
  kSymChoiceValue = 1u << 2,  // member of a choice
  kSymOptional = 1u << 3,     // 'optional' choice
  kSymAuto = 1u << 4,         // 'option env=' symbol (5.10)
  kSymAllNoConfigY = 1u << 5,
  kSymNoWrite = 1u << 6,  // never written (5.10: env symbols)
  kSymWarned = 1u << 7,
  kSymTransitional = 1u << 8,
  kSymDefconfigList = 1u << 9,
};

// Aligned to a cache line, whose first one holds all that evaluation reads of a symbol.
struct alignas(64) Symbol {
  bool has_name = false;
  SymbolType type = SymbolType::Unknown;
  uint32_t id = 0;  // index into per-config symbol state
  uint32_t flags = 0;
  Property* props = nullptr;
  Expr* dir_dep = nullptr;  // dependencies of the enclosing menus/ifs/choice
  Expr* rev_dep = nullptr;  // selects
  Expr* implied = nullptr;  // implies
  // 6.11+: the choice block right above the first entry with a prompt (conf's
  // sym_get_choice_menu()), which is what evaluation goes by; set by finalize_tree().
  Menu* prompt_choice = nullptr;
  Symbol* choice_sym = nullptr;        // the choice symbol this member belongs to (every dialect)
  std::vector<Symbol*> choice_values;  // for a choice symbol: its members, in conf's order
  Menu* choice = nullptr;              // 6.11+: the choice block this member belongs to
  std::vector<Menu*> menus;            // every entry that defines this symbol, in parse order
  std::string name;                    // empty for nameless choices
  // The three dependencies above as conf stores them (built from simplified dependencies): for
  // display only, after Tree::ensure_conf_forms().
  Expr* conf_dir_dep = nullptr;
  Expr* conf_rev_dep = nullptr;
  Expr* conf_implied = nullptr;

  bool is_const() const { return flags & kSymConst; }
  bool is_choice() const { return flags & kSymChoice; }
  bool is_choice_value() const { return flags & kSymChoiceValue; }
  bool is_optional() const { return flags & kSymOptional; }
};

void Expr::set_syms(Symbol* l, Symbol* r) {
  lsym = l;
  rsym = r;
  lsym_id = l ? l->id : 0;
}

enum MenuFlag : uint32_t {
  kMenuConfig = 1u << 0,  // 'menuconfig' entry
  kMenuRoot = 1u << 1,
  kMenuChoice = 1u << 2,  // a 'choice' block
};

// Finalize's bookkeeping of the conf_* forms (Menu::conf_state; see Menu::conf_dep). Kept out
// of Menu::flags, which evaluation reads while ensure_conf_forms() may run on another thread.
enum MenuConfState : uint8_t {
  kMenuConfReady = 1u << 0,       // conf_dep and the properties' conf_visible are built
  kMenuConfFromChoice = 1u << 1,  // they build on conf_parent's choice symbol, not its conf_dep
};

struct Menu {
  Menu* next = nullptr;
  Menu* parent = nullptr;
  Menu* list = nullptr;  // first child
  Symbol* sym = nullptr;
  Property* prompt = nullptr;
  Expr* visibility = nullptr;  // 'visible if'
  Expr* dep = nullptr;         // 'depends on', propagated from parents after finalize
  // `dep` as conf stores it after its simplifications (display and menu nesting only). The
  // conf_* forms cost as much to build as the rest of the tree and most runs never look at them:
  // finalize builds the few that menu nesting needs and records how to build the others, which
  // Tree::ensure_conf_forms() does on first use. Until an entry is kMenuConfReady, its conf_dep
  // and its properties' conf_visible hold their own (m-rewritten) conditions instead.
  Expr* conf_dep = nullptr;
  Menu* conf_parent = nullptr;  // whose conf form this one's builds on (set by finalize)
  uint8_t conf_state = 0;       // MenuConfState bits
  uint32_t flags = 0;
  bool has_help = false;
  // Held by the tree (Tree::keep_text): a restored tree's texts stay in the snapshot's bytes,
  // since most runs never read them.
  std::string_view help;
  std::vector<Symbol*> choice_members;  // for choice menus, in order
  const SourceFile* file = nullptr;
  int line = 0;
};

// Visits every entry below `root` in menu order, depth first (conf's
// menu_for_each_sub_entry). A visitor returning bool stops the walk by returning true.
template <typename MenuT, typename F>
void walk_menus_below(MenuT* root, F&& visit) {
  MenuT* m = root->list;
  while (m) {
    if constexpr (std::is_same_v<decltype(visit(m)), bool>) {
      if (visit(m)) return;
    } else {
      visit(m);
    }
    if (m->list) {
      m = m->list;
      continue;
    }
    while (m && m != root && !m->next) m = m->parent;
    if (!m || m == root) break;
    m = m->next;
  }
}

class Tree {
 public:
  Tree();
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  Dialect dialect;
  Menu root;
  std::string srctree;
  std::string arch;      // value of $(ARCH)/SRCARCH used while parsing
  std::string mainmenu;  // root prompt text

  Symbol* sym_yes = nullptr;
  Symbol* sym_mod = nullptr;
  Symbol* sym_no = nullptr;
  Symbol* sym_empty = nullptr;       // "" constant (value of unset strings)
  Symbol* modules = nullptr;         // the MODULES symbol, or sym_no when none
  Symbol* defconfig_list = nullptr;  // 5.10 'option defconfig_list'

  // Symbols in the order conf's for_all_symbols() visits them (its hash table order): some
  // conf modes are sensitive to that order.
  const std::vector<Symbol*>& symbols_in_hash_order() const;
  // Non-constant symbols in definition order.
  const std::vector<Symbol*>& symbols() const { return symbols_; }
  size_t symbol_count() const { return all_symbols_.size(); }
  size_t property_count() const { return props_.size(); }
  Symbol* symbol_by_id(uint32_t id) const { return all_symbols_[id]; }

  // Named, non-constant symbol (nullptr when unknown).
  Symbol* find(std::string_view name) const;
  // conf's sym_lookup: finds or creates a symbol. `flags` selects the namespace: 0 for config
  // symbols, kSymConst for literal values, kSymChoice for named choices (pre-6.11). "y", "m"
  // and "n" always resolve to the tristate constants.
  Symbol* lookup(std::string_view name, uint32_t flags = 0);
  Symbol* new_choice_symbol();  // a nameless choice

  Expr* new_expr(ExprKind kind, Expr* left = nullptr, Expr* right = nullptr);
  // A node of the conf_* forms (display and menu nesting only), kept apart from the nodes
  // evaluation walks so that those stay close together in memory.
  Expr* new_conf_expr(ExprKind kind);
  Expr* new_sym_expr(Symbol* s);
  Expr* new_cmp_expr(ExprKind kind, Symbol* l, Symbol* r);
  Expr* new_and(Expr* a, Expr* b);  // nullptr operands are treated as absent (like conf)
  Expr* new_or(Expr* a, Expr* b);
  Expr* copy(const Expr* e);

  // Gives `e` a memo number (see Expr::memo) unless it has one.
  void add_memo(Expr* e) {
    if (e && !e->memo) e->memo = ++memo_count_;
  }
  uint32_t memo_count() const { return memo_count_; }

  Property* new_property(PropType type);
  Menu* new_menu();
  const SourceFile* add_file(std::string name, const SourceFile* parent, int parent_line);
  const std::deque<SourceFile>& files() const { return files_; }
  // Text that lives as long as the tree (help texts).
  std::string_view keep_text(std::string text) { return texts_.emplace_back(std::move(text)); }

  // Environment variables the tree's macros read, with their values (for auto.conf.cmd).
  std::vector<std::pair<std::string, std::string>> env_used;

  // Builds every conf_* form (Property::conf_visible, Menu::conf_dep, Symbol::conf_dir_dep,
  // conf_rev_dep, conf_implied) the first time it is called; safe to call from several threads.
  // Throws KconfigError when that would exceed ParseLimits::simplify_work.
  void ensure_conf_forms() const;
  // One step of building them, as finalize records it (see finalize.cpp).
  struct ConfStep {
    enum Kind : uint8_t { Entry, DirDep, ChoiceMember, ChoiceRevDep };
    Menu* menu;
    Kind kind;
  };

 private:
  friend class ConfForms;                   // finalize.cpp: records and builds the conf_* forms
  friend class TreeSnapshot;                // snapshot.cpp: writes and rebuilds a whole tree
  std::vector<ConfStep> conf_steps_;        // finalize's conf_* work, in conf's order
  std::deque<std::string> texts_;           // see keep_text()
  std::shared_ptr<const void> text_owner_;  // the bytes a restored tree's texts point into
  size_t conf_work_limit_ = 0;
  uint32_t memo_count_ = 0;
  mutable std::once_flag conf_once_;
  mutable std::string conf_error_;  // why building the conf_* forms failed
  BlockArena<Expr, 4096> exprs_;
  BlockArena<Expr, 4096> conf_exprs_;
  BlockArena<Symbol, 256> symbol_arena_;
  BlockArena<Property, 512> props_;
  BlockArena<Menu, 256> menus_;
  std::deque<SourceFile> files_;
  std::vector<Symbol*> all_symbols_;  // by id, including constants
  std::vector<Symbol*> symbols_;      // named non-const, definition order
  // Symbols by name, one table per namespace (config symbols, constants, named choices):
  // open addressing over (hash, symbol), keyed by the symbols' own names.
  static uint64_t name_hash(std::string_view name);
  struct NameTable {
    struct Slot {
      uint64_t hash = 0;
      Symbol* sym = nullptr;
    };
    std::vector<Slot> slots;
    size_t used = 0;
    Symbol* find(std::string_view name, uint64_t hash) const;
    void insert(Symbol* sym, uint64_t hash);  // a name not in the table yet
  };
  NameTable by_name_;
  NameTable consts_;
  NameTable named_choices_;
  mutable std::vector<Symbol*> hash_order_;
  std::vector<Symbol*> insertion_order_;  // every hashed symbol (named or const) in creation order
};

}  // namespace rk::kconfig
