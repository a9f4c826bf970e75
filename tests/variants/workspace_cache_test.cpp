// Workspaces keep parsed trees in the tree cache, also when they load several in parallel.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "../fetched_trees.hpp"
#include "../rk_skip.hpp"
#include "../temp_dir.hpp"
#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants {
namespace {

namespace fs = std::filesystem;

size_t entries_in(const std::string& dir) {
  size_t n = 0;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".tree";
  return n;
}

TEST(WorkspaceTreeCache, ParallelLoadsKeepAndReuseTrees) {
  if (rk::testing::fetched_tree("6.1").empty())
    RK_SKIP() << "the 6.1 tree is not fetched (runner-kernel fetch 6.1)";
  rk::testing::TempDir tmp("rk-tree-cache");
  const std::string dir = tmp.path().string();
  auto open = [&] {
    auto ws =
        std::make_unique<Workspace>(Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml"),
                                    rk::testing::fetched_tree_of, ToolchainMode::Replay);
    ws->use_tree_cache(dir);
    return ws;
  };
  std::map<std::string, std::string> first;
  {
    auto ws = open();
    std::vector<const Variant*> both = ws->matrix().select({"6.1"});
    ASSERT_EQ(both.size(), 2u);
    ws->load_trees(both);
    for (const Variant* v : both) first[v->name] = ws->resolve(*v).config_text;
  }
  EXPECT_EQ(entries_in(dir), 2u);  // one per variant, written by the parallel loads
  auto ws = open();
  std::vector<const Variant*> both = ws->matrix().select({"6.1"});
  ws->load_trees(both);
  for (const Variant* v : both) EXPECT_EQ(ws->resolve(*v).config_text, first[v->name]);
  EXPECT_EQ(entries_in(dir), 2u);  // restored, nothing new
}

}  // namespace
}  // namespace rk::variants
