#include "kconfig/snapshot.hpp"

#include <cstring>
#include <exception>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "kconfig/byte_io.hpp"

namespace rk::kconfig {

// A new field in one of these must be written and read below: the sizes catch forgetting it.
static_assert(sizeof(Expr) == 48, "Expr changed: update TreeSnapshot");
static_assert(sizeof(Symbol) == 192, "Symbol changed: update TreeSnapshot");
static_assert(sizeof(Property) == 96, "Property changed: update TreeSnapshot");
static_assert(sizeof(Menu) == 144, "Menu changed: update TreeSnapshot");
static_assert(sizeof(SourceFile) == 48, "SourceFile changed: update TreeSnapshot");

namespace {

constexpr char kMagic[8] = {'R', 'K', 'T', 'R', 'E', 'E', '0', '1'};

// References are indices, 0 meaning none. Expressions live in two arenas: the high bit tells
// the conf_* forms' arena from the evaluated one.
constexpr uint32_t kConfArenaBit = 0x80000000u;

template <typename E>
E checked_enum(uint8_t v, E last) {
  if (v > static_cast<uint8_t>(last)) throw SnapshotError("snapshot: bad enum value");
  return static_cast<E>(v);
}

}  // namespace

// Walks every node of a tree in arena order, giving each a number, and writes the fields with
// pointers replaced by numbers; restore() creates the nodes first and then fills them in, so
// that any reference can be resolved in one pass.
class TreeSnapshot {
 public:
  static std::string write(const Tree& t) {
    TreeSnapshot s(t);
    return s.write_all();
  }
  static std::unique_ptr<Tree> restore(std::string_view bytes, std::shared_ptr<const void> owner) {
    auto tree = std::make_unique<Tree>();
    tree->text_owner_ = std::move(owner);
    Restorer r{*tree, ByteReader(bytes)};
    r.run();
    return tree;
  }

 private:
  explicit TreeSnapshot(const Tree& t) : t_(t) {}

  uint32_t ref(const Expr* e) const {
    if (!e) return 0;
    auto it = expr_index_.find(e);
    if (it == expr_index_.end()) throw SnapshotError("snapshot: expression outside the tree");
    return it->second;
  }
  static uint32_t ref(const Symbol* s) { return s ? s->id + 1 : 0; }
  static uint32_t ref(const Property* p) { return p ? p->id + 1 : 0; }
  uint32_t ref(const Menu* m) const {
    if (!m) return 0;
    if (m == &t_.root) return 1;
    auto it = menu_index_.find(m);
    if (it == menu_index_.end()) throw SnapshotError("snapshot: menu outside the tree");
    return it->second;
  }
  uint32_t ref(const SourceFile* f) const {
    if (!f) return 0;
    auto it = file_index_.find(f);
    if (it == file_index_.end()) throw SnapshotError("snapshot: file outside the tree");
    return it->second;
  }

  void write_expr(const Expr& e) {
    w_.u8(static_cast<uint8_t>(e.kind));
    w_.u8(e.loop_free);
    w_.u32(e.memo);
    w_.u32(ref(e.left));
    w_.u32(ref(e.right));
    w_.u32(ref(e.lsym));
    w_.u32(ref(e.rsym));
  }

  void write_menu(const Menu& m) {
    w_.str(m.help);
    w_.u32(ref(m.next));  // kMenuRecord bytes from here
    w_.u32(ref(m.parent));
    w_.u32(ref(m.list));
    w_.u32(ref(m.sym));
    w_.u32(ref(m.prompt));
    w_.u32(ref(m.visibility));
    w_.u32(ref(m.dep));
    w_.u32(ref(m.conf_dep));
    w_.u32(ref(m.conf_parent));
    w_.u8(m.conf_state);
    w_.u32(m.flags);
    w_.u8(m.has_help);
    w_.u32(ref(m.file));
    w_.u32(static_cast<uint32_t>(m.line));
    w_.u32(static_cast<uint32_t>(m.choice_members.size()));
    for (const Symbol* s : m.choice_members) w_.u32(ref(s));
  }

  std::string write_all() {
    const uint32_t n_exprs = static_cast<uint32_t>(t_.exprs_.size());
    const uint32_t n_conf = static_cast<uint32_t>(t_.conf_exprs_.size());
    if (n_exprs >= kConfArenaBit || n_conf >= kConfArenaBit)
      throw SnapshotError("snapshot: too many expressions");
    expr_index_.reserve(n_exprs + n_conf);
    for (uint32_t i = 0; i < n_exprs; ++i) expr_index_.emplace(&t_.exprs_[i], i + 1);
    for (uint32_t i = 0; i < n_conf; ++i)
      expr_index_.emplace(&t_.conf_exprs_[i], (i + 1) | kConfArenaBit);
    const uint32_t n_menus = static_cast<uint32_t>(t_.menus_.size());
    menu_index_.reserve(n_menus);
    for (uint32_t i = 0; i < n_menus; ++i) menu_index_.emplace(&t_.menus_[i], i + 2);
    uint32_t n_files = 0;
    for (const SourceFile& f : t_.files_) file_index_.emplace(&f, ++n_files);

    // Ids are arena positions; the constants Tree() makes come first.
    const uint32_t n_syms = static_cast<uint32_t>(t_.all_symbols_.size());
    if (n_syms != t_.symbol_arena_.size() || n_syms < 4 || t_.sym_yes->id != 0 ||
        t_.sym_mod->id != 1 || t_.sym_no->id != 2 || t_.sym_empty->id != 3)
      throw SnapshotError("snapshot: unexpected symbol numbering");
    for (uint32_t i = 0; i < n_syms; ++i)
      if (t_.all_symbols_[i] != &t_.symbol_arena_[i] || t_.all_symbols_[i]->id != i)
        throw SnapshotError("snapshot: unexpected symbol numbering");
    const uint32_t n_props = static_cast<uint32_t>(t_.props_.size());
    for (uint32_t i = 0; i < n_props; ++i)
      if (t_.props_[i].id != i) throw SnapshotError("snapshot: unexpected property numbering");

    w_.raw(kMagic, sizeof kMagic);
    w_.u32(n_exprs);
    w_.u32(n_conf);
    w_.u32(n_syms);
    w_.u32(n_props);
    w_.u32(n_menus);
    w_.u32(n_files);

    w_.u32(t_.memo_count_);
    w_.u32(static_cast<uint32_t>(t_.dialect.version));
    w_.u32(static_cast<uint32_t>(t_.dialect.patchlevel));
    w_.str(t_.srctree);
    w_.str(t_.arch);
    w_.str(t_.mainmenu);
    w_.u32(ref(t_.modules));
    w_.u32(ref(t_.defconfig_list));

    for (const SourceFile& f : t_.files_) {
      w_.str(f.name);
      w_.u32(ref(f.parent));
      w_.u32(static_cast<uint32_t>(f.parent_line));
    }
    for (uint32_t i = 0; i < n_exprs; ++i) write_expr(t_.exprs_[i]);
    for (uint32_t i = 0; i < n_conf; ++i) write_expr(t_.conf_exprs_[i]);
    for (uint32_t i = 0; i < n_syms; ++i) {
      const Symbol& s = t_.symbol_arena_[i];
      w_.str(s.name);
      w_.u8(s.has_name);  // kSymbolRecord bytes from here
      w_.u8(static_cast<uint8_t>(s.type));
      w_.u32(s.flags);
      w_.u32(ref(s.props));
      w_.u32(ref(s.dir_dep));
      w_.u32(ref(s.rev_dep));
      w_.u32(ref(s.implied));
      w_.u32(ref(s.conf_dir_dep));
      w_.u32(ref(s.conf_rev_dep));
      w_.u32(ref(s.conf_implied));
      w_.u32(ref(s.choice));
      w_.u32(ref(s.prompt_choice));
      w_.u32(ref(s.choice_sym));
      w_.u32(static_cast<uint32_t>(s.menus.size()));
      w_.u32(static_cast<uint32_t>(s.choice_values.size()));
      for (const Menu* m : s.menus) w_.u32(ref(m));
      for (const Symbol* v : s.choice_values) w_.u32(ref(v));
    }
    for (uint32_t i = 0; i < n_props; ++i) {
      const Property& p = t_.props_[i];
      w_.str(p.text);
      w_.u8(static_cast<uint8_t>(p.type));  // kPropertyRecord bytes from here
      w_.u32(ref(p.next));
      w_.u32(ref(p.expr));
      w_.u32(ref(p.visible));
      w_.u32(ref(p.conf_visible));
      w_.u32(ref(p.menu));
      w_.u32(ref(p.file));
      w_.u32(static_cast<uint32_t>(p.line));
    }
    write_menu(t_.root);
    for (uint32_t i = 0; i < n_menus; ++i) write_menu(t_.menus_[i]);

    w_.u32(static_cast<uint32_t>(t_.env_used.size()));
    for (const auto& [name, value] : t_.env_used) {
      w_.str(name);
      w_.str(value);
    }
    w_.u32(static_cast<uint32_t>(t_.conf_steps_.size()));
    for (const Tree::ConfStep& step : t_.conf_steps_) {
      w_.u32(ref(step.menu));
      w_.u8(step.kind);
    }
    w_.u64(t_.conf_work_limit_);
    w_.u32(static_cast<uint32_t>(t_.symbols_.size()));
    for (const Symbol* s : t_.symbols_) w_.u32(ref(s));
    // The name tables are rebuilt by inserting again, in the same order, into the same table,
    // with the names' hashes kept: hashing means reading every name again.
    w_.u32(static_cast<uint32_t>(t_.insertion_order_.size()));
    for (const Symbol* s : t_.insertion_order_) {
      uint8_t table = 3;  // nameless choice: in no table
      uint64_t h = 0;
      if (s->has_name) {
        h = name_hash_of(s->name);
        table = t_.by_name_.find(s->name, h) == s         ? 0
                : t_.consts_.find(s->name, h) == s        ? 1
                : t_.named_choices_.find(s->name, h) == s ? 2
                                                          : 3;
      }
      w_.u32(ref(s));
      w_.u8(table);
      if (table != 3) w_.u64(h);
    }
    // conf's hash order too, for the same reason.
    const auto& hash_order = t_.symbols_in_hash_order();
    w_.u32(static_cast<uint32_t>(hash_order.size()));
    for (const Symbol* s : hash_order) w_.u32(ref(s));
    return std::move(w_.bytes());
  }

  static uint64_t name_hash_of(std::string_view name);

  struct Restorer {
    Tree& t;
    ByteReader in;
    uint32_t n_exprs = 0, n_conf = 0, n_syms = 0, n_props = 0, n_menus = 0, n_files = 0;
    uint32_t memo_count = 0;
    std::vector<const SourceFile*> files;

    Expr* expr(uint32_t r) {
      if (!r) return nullptr;
      if (r & kConfArenaBit) {
        uint32_t i = r & ~kConfArenaBit;
        if (i == 0 || i > n_conf) throw SnapshotError("snapshot: bad expression reference");
        return &t.conf_exprs_[i - 1];
      }
      if (r > n_exprs) throw SnapshotError("snapshot: bad expression reference");
      return &t.exprs_[r - 1];
    }
    Symbol* sym(uint32_t r) {
      if (!r) return nullptr;
      if (r > n_syms) throw SnapshotError("snapshot: bad symbol reference");
      return &t.symbol_arena_[r - 1];
    }
    Property* prop(uint32_t r) {
      if (!r) return nullptr;
      if (r > n_props) throw SnapshotError("snapshot: bad property reference");
      return &t.props_[r - 1];
    }
    Menu* menu(uint32_t r) {
      if (!r) return nullptr;
      if (r == 1) return &t.root;
      if (r - 2 >= n_menus) throw SnapshotError("snapshot: bad menu reference");
      return &t.menus_[r - 2];
    }
    const SourceFile* file(uint32_t r) {
      if (!r) return nullptr;
      if (r > files.size()) throw SnapshotError("snapshot: bad file reference");
      return files[r - 1];
    }

    // Expressions are most of a tree: fixed-size records, checked for length once.
    static constexpr size_t kExprRecord = 2 + 5 * 4;
    // Below this many (small test trees) a thread costs more than it saves; kernel trees have
    // 100,000 and more.
    static constexpr size_t kExprsWorthAThread = 20000;
    void read_exprs(BlockArena<Expr, 4096>& arena, uint32_t n, const char* p) {
      auto u32_at = [](const char* q) {
        uint32_t v;
        std::memcpy(&v, q, sizeof v);
        return v;
      };
      for (uint32_t i = 0; i < n; ++i, p += kExprRecord) {
        Expr e;
        e.kind = checked_enum(static_cast<uint8_t>(p[0]), ExprKind::Range);
        e.loop_free = p[1] != 0;
        e.memo = u32_at(p + 2);
        if (e.memo > memo_count) throw SnapshotError("snapshot: bad memo number");
        e.left = expr(u32_at(p + 6));
        e.right = expr(u32_at(p + 10));
        // A symbol's id is its place in the arena (restore_tree numbers them so).
        const uint32_t l = u32_at(p + 14);
        e.lsym = sym(l);
        e.rsym = sym(u32_at(p + 18));
        e.lsym_id = l ? l - 1 : 0;
        ::new (static_cast<void*>(&arena[i])) Expr(e);
      }
    }

    // The fixed-size part of a record, its length checked once.
    struct Fields {
      const char* p;
      uint8_t u8() { return static_cast<uint8_t>(*p++); }
      uint32_t u32() {
        uint32_t v;
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
        return v;
      }
    };
    Fields fields(size_t n) { return {in.take(n)}; }

    static constexpr size_t kSymbolRecord = 2 + 13 * 4;
    static constexpr size_t kPropertyRecord = 1 + 7 * 4;
    static constexpr size_t kMenuRecord = 9 * 4 + 1 + 4 + 1 + 4 + 4 + 4;
    void read_menu(Menu& m) {
      m.help = in.view();
      Fields f = fields(kMenuRecord);
      m.next = menu(f.u32());
      m.parent = menu(f.u32());
      m.list = menu(f.u32());
      m.sym = sym(f.u32());
      m.prompt = prop(f.u32());
      m.visibility = expr(f.u32());
      m.dep = expr(f.u32());
      m.conf_dep = expr(f.u32());
      m.conf_parent = menu(f.u32());
      m.conf_state = f.u8();
      m.flags = f.u32();
      m.has_help = f.u8() != 0;
      m.file = file(f.u32());
      m.line = static_cast<int>(f.u32());
      uint32_t members = f.u32();
      if (members) {
        Fields list = fields(size_t{members} * 4);
        m.choice_members.reserve(members);
        for (uint32_t k = 0; k < members; ++k) m.choice_members.push_back(sym(list.u32()));
      }
    }

    void run() {
      char magic[sizeof kMagic];
      in.copy(magic, sizeof magic);
      if (std::memcmp(magic, kMagic, sizeof kMagic) != 0)
        throw SnapshotError("not a tree snapshot");
      // Each node takes at least this many bytes, so no count can exceed what is left.
      n_exprs = in.count(22);
      n_conf = in.count(22);
      n_syms = in.count(58);
      n_props = in.count(33);
      n_menus = in.count(62);
      n_files = in.count(8);
      if (n_syms < 4 || t.all_symbols_.size() != 4)
        throw SnapshotError("snapshot: missing constants");

      memo_count = in.u32();
      t.memo_count_ = memo_count;
      t.dialect.version = static_cast<int>(in.u32());
      t.dialect.patchlevel = static_cast<int>(in.u32());
      t.srctree = in.str();
      t.arch = in.str();
      t.mainmenu = in.str();

      // Every node first, so that references forward and backward resolve.
      // (Each expression is constructed by read_exprs, once its values are known.)
      t.exprs_.grow_to_unconstructed(n_exprs);
      t.conf_exprs_.grow_to_unconstructed(n_conf);
      t.symbol_arena_.grow_to(n_syms);
      t.all_symbols_.reserve(n_syms);
      for (uint32_t i = 4; i < n_syms; ++i) {
        Symbol& s = t.symbol_arena_[i];
        s.id = i;
        t.all_symbols_.push_back(&s);
      }
      t.props_.grow_to(n_props);
      for (uint32_t i = 0; i < n_props; ++i) t.props_[i].id = i;
      t.menus_.grow_to(n_menus);

      const uint32_t modules_ref = in.u32();
      const uint32_t defconfig_list_ref = in.u32();
      t.modules = sym(modules_ref);
      if (!t.modules) throw SnapshotError("snapshot: no MODULES symbol");
      t.defconfig_list = sym(defconfig_list_ref);

      files.reserve(n_files);
      for (uint32_t i = 0; i < n_files; ++i) {
        std::string name = in.str();
        const SourceFile* parent = file(in.u32());  // parents come first
        int line = static_cast<int>(in.u32());
        files.push_back(t.add_file(std::move(name), parent, line));
      }
      // Expressions are fixed-size records that refer to other nodes by number only, and
      // nothing below reads them: a second thread rebuilds them while this one reads the rest.
      const char* expr_records = in.take((size_t{n_exprs} + n_conf) * kExprRecord);
      std::exception_ptr expr_error;
      auto read_all_exprs = [&] {
        try {
          read_exprs(t.exprs_, n_exprs, expr_records);
          read_exprs(t.conf_exprs_, n_conf, expr_records + size_t{n_exprs} * kExprRecord);
        } catch (...) {
          expr_error = std::current_exception();
        }
      };
      std::thread expr_thread;
      if (size_t{n_exprs} + n_conf >= kExprsWorthAThread) {
        try {
          expr_thread = std::thread(read_all_exprs);
        } catch (const std::system_error&) {
        }
      }
      if (!expr_thread.joinable()) read_all_exprs();
      struct Join {
        std::thread& thread;
        ~Join() {
          if (thread.joinable()) thread.join();
        }
      } join{expr_thread};
      for (uint32_t i = 0; i < n_syms; ++i) {
        Symbol& s = t.symbol_arena_[i];
        s.name = in.str();
        Fields f = fields(kSymbolRecord);
        s.has_name = f.u8() != 0;
        s.type = checked_enum(f.u8(), SymbolType::String);
        s.flags = f.u32();
        s.props = prop(f.u32());
        s.dir_dep = expr(f.u32());
        s.rev_dep = expr(f.u32());
        s.implied = expr(f.u32());
        s.conf_dir_dep = expr(f.u32());
        s.conf_rev_dep = expr(f.u32());
        s.conf_implied = expr(f.u32());
        s.choice = menu(f.u32());
        s.prompt_choice = menu(f.u32());
        s.choice_sym = sym(f.u32());
        const uint32_t n_menus_of = f.u32();
        const uint32_t n_values = f.u32();
        Fields list = fields((size_t{n_menus_of} + n_values) * 4);
        s.menus.reserve(n_menus_of);
        for (uint32_t k = 0; k < n_menus_of; ++k) s.menus.push_back(menu(list.u32()));
        s.choice_values.reserve(n_values);
        for (uint32_t k = 0; k < n_values; ++k) s.choice_values.push_back(sym(list.u32()));
      }
      for (uint32_t i = 0; i < n_props; ++i) {
        Property& p = t.props_[i];
        p.text = in.str();
        Fields f = fields(kPropertyRecord);
        p.type = checked_enum(f.u8(), PropType::Symbol);
        p.next = prop(f.u32());
        p.expr = expr(f.u32());
        p.visible = expr(f.u32());
        p.conf_visible = expr(f.u32());
        p.menu = menu(f.u32());
        p.file = file(f.u32());
        p.line = static_cast<int>(f.u32());
      }
      read_menu(t.root);
      for (uint32_t i = 0; i < n_menus; ++i) read_menu(t.menus_[i]);

      uint32_t n = in.count(8);
      t.env_used.reserve(n);
      for (uint32_t k = 0; k < n; ++k) {
        std::string name = in.str();
        t.env_used.emplace_back(std::move(name), in.str());
      }
      n = in.count(5);
      t.conf_steps_.reserve(n);
      for (uint32_t k = 0; k < n; ++k) {
        Menu* m = menu(in.u32());
        auto kind = checked_enum(in.u8(), Tree::ConfStep::ChoiceRevDep);
        if (!m) throw SnapshotError("snapshot: bad menu reference");
        t.conf_steps_.push_back({m, kind});
      }
      t.conf_work_limit_ = in.u64();
      n = in.count(4);
      t.symbols_.reserve(n);
      for (uint32_t k = 0; k < n; ++k) t.symbols_.push_back(checked_sym(in.u32()));
      n = in.count(5);
      t.insertion_order_.reserve(n);
      for (uint32_t k = 0; k < n; ++k) {
        Symbol* s = checked_sym(in.u32());
        uint8_t table = in.u8();
        t.insertion_order_.push_back(s);
        if (table > 3) throw SnapshotError("snapshot: bad symbol table");
        if (table == 3) continue;
        Tree::NameTable& into = table == 0 ? t.by_name_ : table == 1 ? t.consts_ : t.named_choices_;
        into.insert(s, in.u64());
      }
      n = in.count(4);
      if (n != t.insertion_order_.size()) throw SnapshotError("snapshot: bad hash order");
      t.hash_order_.clear();
      t.hash_order_.reserve(n);
      for (uint32_t k = 0; k < n; ++k) t.hash_order_.push_back(checked_sym(in.u32()));
      if (!in.at_end()) throw SnapshotError("snapshot: trailing bytes");
      if (expr_thread.joinable()) expr_thread.join();
      if (expr_error) std::rethrow_exception(expr_error);
    }

    Symbol* checked_sym(uint32_t r) {
      Symbol* s = sym(r);
      if (!s) throw SnapshotError("snapshot: bad symbol reference");
      return s;
    }
  };

  const Tree& t_;
  ByteWriter w_;
  std::unordered_map<const Expr*, uint32_t> expr_index_;
  std::unordered_map<const Menu*, uint32_t> menu_index_;
  std::unordered_map<const SourceFile*, uint32_t> file_index_;
};

uint64_t TreeSnapshot::name_hash_of(std::string_view name) {
  return Tree::name_hash(name);
}

std::string snapshot_tree(const Tree& tree) {
  return TreeSnapshot::write(tree);
}

std::unique_ptr<Tree> restore_tree(std::string_view bytes, std::shared_ptr<const void> owner) {
  return TreeSnapshot::restore(bytes, std::move(owner));
}

std::unique_ptr<Tree> restore_tree(std::string bytes) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  return TreeSnapshot::restore(*owned, owned);
}

}  // namespace rk::kconfig
