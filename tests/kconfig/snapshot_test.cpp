// Parsed-tree snapshots and the parse cache: a restored tree is the parsed tree (same snapshot
// bytes, same structure, same configurations), and a snapshot stands in for a parse only while
// nothing the parse read has changed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"
#include "kconfig/confdata.hpp"
#include "kconfig/shell_runner.hpp"
#include "kconfig/snapshot.hpp"
#include "test_util.hpp"
#include "tree_dump.hpp"

namespace rk::kconfig {
namespace {

using testing::ScriptedShell;
using testing::TempDir;
using testing::TreeDump;

class StringBytes : public StoredBytes {
 public:
  explicit StringBytes(std::string s) : s_(std::move(s)) {}
  std::string_view view() const override { return s_; }

 private:
  std::string s_;
};

// Keeps entries in memory and counts what the parser asks of it.
class MemoryStore : public SnapshotStore {
 public:
  std::map<std::string, std::string> entries;
  int loads = 0, hits = 0, stores = 0;
  std::unique_ptr<StoredBytes> load(const std::string& key) override {
    ++loads;
    auto it = entries.find(key);
    if (it == entries.end()) return nullptr;
    ++hits;
    return std::make_unique<StringBytes>(it->second);
  }
  void store(const std::string& key, std::string_view bytes) override {
    ++stores;
    entries[key] = std::string(bytes);
  }
};

const char* const kKconfig = R"KC(mainmenu "Snapshot test $(KV)"
config MODULES
	bool "modules"
	default y
	modules
menu "Drivers"
	depends on MODULES
config NET
	tristate "net"
	default m
	help
	  Networking, with a help text
	  of two lines.
config FAST
	bool "fast"
	default $(shell,probe-fast)
	depends on NET
if NET
config CHILD
	int "child"
	range 1 10
	default 3
endif
choice
	prompt "pick"
	default B
config A
	bool "a"
config B
	bool "b"
endchoice
endmenu
source "sub/Kconfig"
$(info,parsed $(KV))
$(warning-if,y,a warning)
config SUB_OPT
	string "opt"
	default "$(OPTIONAL_VAR)"
)KC";

struct CacheFixture {
  TempDir src;
  TempDir obj;  // the working directory, as Kbuild's object tree
  ScriptedShell shell;
  MemoryStore store;
  Environment env{{"KV", "1.0"}};
  std::vector<std::string> info;

  CacheFixture() {
    src.write("Kconfig", kKconfig);
    src.write("sub/Kconfig", "config SUB\n\tbool \"sub\"\n\tdefault y\n");
    shell.answers["probe-fast"] = "y";
  }

  ParseOptions options(Diagnostics& diag) {
    ParseOptions o;
    o.kconfig = "Kconfig";
    o.cwd = obj.path();
    o.srctree = src.path();
    o.env = env;
    o.shell = &shell;
    o.diag = &diag;
    o.dialect = parse_dialect("6.1");
    o.snapshots = &store;
    o.info = [this](const std::string& line) { info.push_back(line); };
    return o;
  }
  std::unique_ptr<Tree> parse(Diagnostics& diag) { return parse_kconfig(options(diag)); }
  std::unique_ptr<Tree> parse() {
    Diagnostics diag;
    return parse(diag);
  }
};

std::string alldefconfig(const Tree& tree) {
  Config c(tree);
  for (Symbol* s : tree.symbols_in_hash_order()) c.calc(s);
  return render_config(c);
}

// Changes a file's contents and makes sure its time stamps differ from before.
void rewrite(const TempDir& dir, const std::string& name, const std::string& text) {
  ::usleep(10000);
  dir.write(name, text);
}

TEST(ParseCache, SecondParseRestoresTheSameTree) {
  CacheFixture f;
  Diagnostics d1;
  auto parsed = f.parse(d1);
  EXPECT_EQ(f.store.stores, 1);
  EXPECT_EQ(f.store.hits, 0);
  Diagnostics d2;
  auto restored = f.parse(d2);
  EXPECT_EQ(f.store.hits, 1);
  EXPECT_EQ(f.store.stores, 1);  // restored: nothing new to keep

  EXPECT_EQ(snapshot_tree(*restored), snapshot_tree(*parsed));
  EXPECT_EQ(TreeDump(*restored).str(), TreeDump(*parsed).str());
  EXPECT_EQ(alldefconfig(*restored), alldefconfig(*parsed));
  EXPECT_EQ(restored->env_used, parsed->env_used);
  EXPECT_EQ(restored->mainmenu, "Snapshot test 1.0");
  // What the parse printed is printed again, in the same order.
  EXPECT_EQ(d2.lines(), d1.lines());
  ASSERT_FALSE(d1.lines().empty());
  EXPECT_EQ(f.info, (std::vector<std::string>{"parsed 1.0", "parsed 1.0"}));
}

TEST(ParseCache, ChangedFileIsParsedAgain) {
  CacheFixture f;
  f.parse();
  rewrite(f.src, "sub/Kconfig", "config SUB\n\tbool \"sub\"\n\tdefault y\nconfig SUB2\n\tbool\n");
  auto tree = f.parse();
  EXPECT_EQ(f.store.stores, 2);  // parsed again, and kept
  EXPECT_NE(tree->find("SUB2"), nullptr);
  EXPECT_NE(f.parse()->find("SUB2"), nullptr);
  EXPECT_EQ(f.store.stores, 2);  // restored
}

TEST(ParseCache, FileAppearingInTheWorkingDirectoryIsParsedAgain) {
  CacheFixture f;
  f.parse();
  // conf looks in the working directory before $srctree: this file now shadows the other.
  f.obj.write("sub/Kconfig", "config SHADOW\n\tbool\n");
  auto tree = f.parse();
  EXPECT_EQ(f.store.stores, 2);
  EXPECT_NE(tree->find("SHADOW"), nullptr);
  EXPECT_EQ(tree->find("SUB"), nullptr);
}

TEST(ParseCache, ChangedEnvironmentIsParsedAgain) {
  CacheFixture f;
  f.parse();
  f.env["KV"] = "2.0";
  EXPECT_EQ(f.parse()->mainmenu, "Snapshot test 2.0");
  EXPECT_EQ(f.store.stores, 2);
  // A variable that was unset when the tree was parsed and is set now.
  f.parse();
  EXPECT_EQ(f.store.stores, 2);
  f.env["OPTIONAL_VAR"] = "now set";
  auto tree = f.parse();
  EXPECT_EQ(f.store.stores, 3);
  const Symbol* opt = tree->find("SUB_OPT");
  ASSERT_NE(opt, nullptr);
  Config c(*tree);
  c.calc(const_cast<Symbol*>(opt));
  EXPECT_EQ(c.string_value(opt), "now set");
}

TEST(ParseCache, ChangedShellOutputIsParsedAgain) {
  CacheFixture f;
  f.parse();
  f.shell.answers["probe-fast"] = "n";
  auto tree = f.parse();
  EXPECT_EQ(f.store.stores, 2);
  Config c(*tree);
  Symbol* fast = tree->find("FAST");
  c.calc(fast);
  EXPECT_EQ(c.tri(fast), Tristate::No);
}

// A shell that fails while the snapshot is checked makes it a parse, which reports or (here)
// does not meet the failure itself.
TEST(ParseCache, ShellFailingDuringTheCheckFallsBackToParsing) {
  CacheFixture f;
  f.parse();
  struct FailsOnce : ShellRunner {
    ShellRunner* inner;
    bool failed = false;
    std::string run(const std::string& c, const Environment& e, const std::string& d) override {
      if (!failed) {
        failed = true;
        throw KconfigError("not in the profile: " + c);
      }
      return inner->run(c, e, d);
    }
  } shell;
  shell.inner = &f.shell;
  Diagnostics diag;
  ParseOptions o = f.options(diag);
  o.shell = &shell;
  auto tree = parse_kconfig(o);
  EXPECT_TRUE(shell.failed);
  EXPECT_EQ(f.store.stores, 2);  // parsed again
  EXPECT_NE(tree->find("FAST"), nullptr);
}

TEST(ParseCache, OtherReleaseOrArchIsAnotherEntry) {
  CacheFixture f;
  f.parse();
  Diagnostics diag;
  ParseOptions o = f.options(diag);
  o.dialect = parse_dialect("6.12");
  parse_kconfig(o);
  EXPECT_EQ(f.store.hits, 0);
  EXPECT_EQ(f.store.entries.size(), 2u);
}

TEST(ParseCache, DamagedEntriesAreParsedAgain) {
  CacheFixture f;
  std::string expected = alldefconfig(*f.parse());
  ASSERT_EQ(f.store.entries.size(), 1u);
  const std::string key = f.store.entries.begin()->first;
  const std::string good = f.store.entries.begin()->second;
  // Every length short of the whole entry, in steps, and a few flipped bytes.
  for (size_t len = 0; len < good.size(); len += 1 + len / 8) {
    f.store.entries[key] = good.substr(0, len);
    EXPECT_EQ(alldefconfig(*f.parse()), expected) << "truncated at " << len;
  }
  // Damaged snapshot bytes: restore_tree() throws or gives some tree, and never reads past
  // the end or allocates without bound.
  const std::string snapshot = snapshot_tree(*f.parse());
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string bad = snapshot;
    for (int k = 0; k < 3; ++k)
      bad[8 + rng() % (bad.size() - 8)] ^= static_cast<char>(1 + rng() % 255);
    try {
      restore_tree(bad);
    } catch (const SnapshotError&) {
    }
  }
}

TEST(ParseCache, WithoutStoreOrWithCustomReaderNothingIsKept) {
  CacheFixture f;
  ParseOptions o;
  Diagnostics diag;
  o.kconfig = "Kconfig";
  o.srctree = f.src.path();
  o.shell = &f.shell;
  o.diag = &diag;
  o.snapshots = &f.store;
  o.read_file = [&](const std::string& path, std::string& text) {
    std::ifstream in(path);
    if (!in) return false;
    text.assign(std::istreambuf_iterator<char>(in), {});
    return true;
  };
  parse_kconfig(o);
  EXPECT_EQ(f.store.loads, 0);
  EXPECT_EQ(f.store.stores, 0);
}

TEST(DirectorySnapshotStore, StoresAtomicallyAndKeepsTheNewest) {
  TempDir dir;
  DirectorySnapshotStore store(dir.file("a/b"), 3);
  EXPECT_EQ(store.load("k0"), nullptr);
  for (int i = 0; i < 5; ++i) {
    store.store("k" + std::to_string(i), "bytes " + std::to_string(i));
    ::usleep(10000);
  }
  ASSERT_NE(store.load("k4"), nullptr);
  EXPECT_EQ(store.load("k4")->view(), "bytes 4");
  EXPECT_EQ(store.load("k0"), nullptr);  // pruned: only the three newest stay
  EXPECT_EQ(store.load("k1"), nullptr);
  EXPECT_NE(store.load("k2"), nullptr);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("a/b"))) {
    EXPECT_EQ(e.path().extension(), ".tree") << e.path();  // no temporary left behind
    ++files;
  }
  EXPECT_EQ(files, 3u);
}

// A restored tree's help texts stay in the stored entry's bytes: the tree keeps them however
// the store changes after the restore.
TEST(DirectorySnapshotStore, RestoredTreeOutlivesItsEntry) {
  struct CountingStore : SnapshotStore {
    DirectorySnapshotStore inner;
    int hits = 0;
    explicit CountingStore(const std::string& dir) : inner(dir, 1) {}
    std::unique_ptr<StoredBytes> load(const std::string& key) override {
      auto bytes = inner.load(key);
      hits += bytes != nullptr;
      return bytes;
    }
    void store(const std::string& key, std::string_view bytes) override { inner.store(key, bytes); }
  };
  CacheFixture f;
  TempDir dir;
  auto store = std::make_unique<CountingStore>(dir.file("trees"));
  Diagnostics diag;
  ParseOptions o = f.options(diag);
  o.snapshots = store.get();
  auto parsed = parse_kconfig(o);
  auto restored = parse_kconfig(o);
  ASSERT_EQ(store->hits, 1);
  const std::string help = "Networking, with a help text\nof two lines.";
  ASSERT_EQ(parsed->find("NET")->menus.at(0)->help, help);
  store->store("other", "bytes");  // prunes the tree's entry (one kept)
  store.reset();
  std::filesystem::remove_all(dir.file("trees"));
  EXPECT_EQ(restored->find("NET")->menus.at(0)->help, help);
  EXPECT_EQ(snapshot_tree(*restored), snapshot_tree(*parsed));
}

TEST(DirectorySnapshotStore, DefaultDirectoryFollowsXdg) {
  EXPECT_EQ(default_snapshot_dir({{"XDG_CACHE_HOME", "/c"}, {"HOME", "/h"}}),
            "/c/runner-kernel/kconfig-trees");
  EXPECT_EQ(default_snapshot_dir({{"HOME", "/h"}}), "/h/.cache/runner-kernel/kconfig-trees");
  EXPECT_EQ(default_snapshot_dir({}), "");
  // RK_CACHE moves every cache, this one too.
  EXPECT_EQ(default_snapshot_dir({{"RK_CACHE", "/rk"}, {"XDG_CACHE_HOME", "/c"}, {"HOME", "/h"}}),
            "/rk/kconfig-trees");
}

// The kernel trees, when present: a restored tree is byte for byte the parsed one.
TEST(TreeSnapshot, RealTreeRoundTrips) {
  const std::string tree_dir = rk::testing::fetched_tree("6.1");
  if (tree_dir.empty()) RK_SKIP() << "the 6.1 tree is not fetched (runner-kernel fetch 6.1)";
  LiveShell shell;
  TempDir obj;  // $(cc-option) makes scratch files in the working directory
  Diagnostics diag;
  ParseOptions o;
  o.kconfig = "Kconfig";
  o.cwd = obj.path();
  o.srctree = tree_dir;
  o.env = {{"PATH", "/usr/bin:/bin"}, {"srctree", tree_dir}, {"ARCH", "x86_64"},
           {"SRCARCH", "x86"},        {"CC", "gcc"},         {"LD", "ld"}};
  o.shell = &shell;
  o.diag = &diag;
  auto tree = parse_kconfig(o);
  std::string bytes = snapshot_tree(*tree);
  auto restored = restore_tree(bytes);
  EXPECT_EQ(snapshot_tree(*restored), bytes);
  EXPECT_EQ(alldefconfig(*restored), alldefconfig(*tree));
  // A kernel tree's expressions are rebuilt on a second thread: damage there, too, is an
  // error (or some tree), never a crash. A fifth of the bytes are expression records.
  std::mt19937 rng(11);
  int rejected = 0;
  for (int i = 0; i < 40; ++i) {
    std::string bad = bytes;
    for (int k = 0; k < 20; ++k) bad[8 + rng() % (bad.size() - 8)] = static_cast<char>(0xff);
    try {
      restore_tree(std::move(bad));
    } catch (const SnapshotError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace rk::kconfig
