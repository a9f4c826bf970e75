// Real Kbuild runs, opt-in because they take minutes (tiny) or most of an hour (a variant):
//   RK_BUILD_TINY_TESTS=1     6.1-x86_64's tree with an allnoconfig configuration, built
//                             twice in two O= dirs: config check, artifacts, identical vmlinux
//   RK_BUILD_VARIANT_TESTS=1  the real 6.1-x86_64 variant, built fully into build/6.1-x86_64
//                             and again into build/6.1-x86_64-repro: identical vmlinux
// Both need the 6.1 tree in the source cache (`runner-kernel fetch 6.1`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "build/artifacts.hpp"
#include "build/config_check.hpp"
#include "build/driver.hpp"
#include "build/process.hpp"
#include "source/tree_cache.hpp"
#include "source/util.hpp"

namespace rk::build {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool enabled(const char* var) {
  const char* v = std::getenv(var);
  return v && std::string(v) == "1";
}

struct VariantUnderTest {
  std::unique_ptr<variants::Workspace> ws;
  const variants::Variant* variant = nullptr;
  source::TreeLocation tree;
  std::string skip;
};

VariantUnderTest open_variant(const std::string& name) {
  VariantUnderTest s;
  auto m = variants::Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml");
  const variants::Variant* v = m.find_variant(name);
  if (!v) {
    s.skip = name + " is not in variants.toml";
    return s;
  }
  auto tree = source::find_tree(m, m.branch_of(*v));
  if (!tree) {
    s.skip = "no " + m.branch_of(*v).name + " tree in the source cache (runner-kernel fetch)";
    return s;
  }
  s.tree = *tree;
  variants::Matrix copy = m;
  auto locator = [copy](const variants::BranchSpec& b) {
    return source::require_tree(copy, b).dir;
  };
  s.ws = std::make_unique<variants::Workspace>(std::move(m), locator);
  s.variant = s.ws->matrix().find_variant(name);
  return s;
}

// Builds twice (in `dir_a` then `dir_b`), checks the artifacts and that both images are
// byte-identical.
void build_twice(VariantUnderTest& s, BuildOptions opts, const std::string& dir_a,
                 const std::string& dir_b, const std::string& out_root) {
  opts.out_root = out_root;
  opts.build_dir = dir_a;
  opts.progress = stdout;
  opts.progress_interval = 60;
  opts.ccache = CcachePolicy::kOff;
  opts.min_free_bytes = 0;
  BuildResult a = build_variant(*s.ws, *s.variant, s.tree, opts);

  // Kbuild's .config is the resolved one (run_kbuild checked; check the shipped copy too).
  variants::Evaluation ev =
      opts.allconfig ? s.ws->evaluate(*s.variant, *opts.allconfig) : s.ws->resolve(*s.variant);
  fs::path out = fs::path(out_root) / s.ws->matrix().branch_of(*s.variant).name /
                 s.ws->matrix().arch_of(*s.variant).name;
  EXPECT_TRUE(compare_configs(ev.config_text, read(out / "config")).equal);
  // Artifacts: the ELF kernel, its zstd copy, sums, build-info.
  std::string kernel = read(out / "vmlinux");
  ASSERT_GT(kernel.size(), 4u);
  EXPECT_EQ(kernel.substr(0, 4),
            "\x7f"
            "ELF");
  EXPECT_EQ(zstd_decompress(read(out / "vmlinux.bin.zst")), kernel);
  EXPECT_EQ(sha256sums(out.string(), artifact_files("vmlinux")), read(out / "SHA256SUMS"));
  auto info = nlohmann::json::parse(read(out / "build-info.json"));
  EXPECT_EQ(info["kernel_version"], a.info.kernel_version);
  EXPECT_EQ(info["config_sha256"], source::sha256_file(a.kbuild.config_path));
  EXPECT_FALSE(read(out / "System.map").empty());
  // No path of the machine in the image.
  EXPECT_EQ(kernel.find(s.tree.dir), std::string::npos) << "the tree's path leaks into vmlinux";
  EXPECT_EQ(kernel.find(dir_a), std::string::npos) << "O='s path leaks into vmlinux";

  opts.build_dir = dir_b;
  opts.out_root.clear();
  BuildResult b = build_variant(*s.ws, *s.variant, s.tree, opts);
  EXPECT_EQ(a.target_sha256, b.target_sha256)
      << "two builds of the same inputs differ: cmp " << a.kbuild.target_path << " "
      << b.kbuild.target_path;
}

TEST(KbuildIntegration, TinyBuildIsConsistentAndReproducible) {
  if (!enabled("RK_BUILD_TINY_TESTS"))
    GTEST_SKIP() << "a real Kbuild run (minutes): set RK_BUILD_TINY_TESTS=1";
  VariantUnderTest s = open_variant("6.1-x86_64");
  if (!s.skip.empty()) GTEST_SKIP() << s.skip;
  std::string root = std::string(RK_SOURCE_DIR) + "/build/test-tiny";
  // allnoconfig from Kbuild itself, resolved by our engine as KCONFIG_ALLCONFIG.
  std::string gen = root + "/allnoconfig";
  fs::create_directories(gen);
  int code = 0;
  std::string out = capture({"make", "-s", "-C", s.tree.dir, "O=" + gen, "ARCH=x86_64",
                             "RUSTC=false", "BINDGEN=false", "allnoconfig"},
                            &code);
  ASSERT_EQ(code, 0) << out;
  BuildOptions opts;
  opts.allconfig = read(gen + "/.config");
  build_twice(s, opts, root + "/a", root + "/b", root + "/out");
}

TEST(KbuildIntegration, Variant61x86_64BuildsAndIsReproducible) {
  if (!enabled("RK_BUILD_VARIANT_TESTS"))
    GTEST_SKIP() << "builds 6.1-x86_64 twice (about 16 minutes each on 2 idle cores): set "
                    "RK_BUILD_VARIANT_TESTS=1";
  VariantUnderTest s = open_variant("6.1-x86_64");
  if (!s.skip.empty()) GTEST_SKIP() << s.skip;
  std::string build = std::string(RK_SOURCE_DIR) + "/build";
  build_twice(s, BuildOptions{}, build + "/6.1-x86_64", build + "/6.1-x86_64-repro",
              std::string(RK_SOURCE_DIR) + "/out");
}

}  // namespace
}  // namespace rk::build
