// Where tests find real kernel trees: the ones `runner-kernel fetch` installed for the
// repository's own variants.toml (`make test` fetches them first), found by the source stage's
// own lookup, so the tests read exactly the trees `make` builds from and nothing else.
#pragma once

#include <string>

#include "source/tree_cache.hpp"
#include "variants/matrix.hpp"

namespace rk::testing {

// The repository's variants.toml, loaded once.
inline const variants::Matrix& repo_matrix() {
  static const variants::Matrix m =
      variants::Matrix::load(std::string(RK_SOURCE_DIR) + "/variants.toml");
  return m;
}

// The fetched tree of branch `branch` ("6.1"), or "" when it has not been fetched (or no
// longer matches its pins).
inline std::string fetched_tree(const std::string& branch) {
  const variants::Matrix& m = repo_matrix();
  const variants::BranchSpec* b = m.find_branch(branch);
  if (!b) return {};
  auto t = source::find_tree(m, *b);
  return t ? t->dir : std::string();
}

// A Workspace's tree locator over the fetched trees.
inline std::string fetched_tree_of(const variants::BranchSpec& b) {
  return fetched_tree(b.name);
}

// Whether every branch of the repository's matrix has been fetched.
inline bool all_trees_fetched() {
  for (const auto& b : repo_matrix().branches)
    if (fetched_tree(b.name).empty()) return false;
  return true;
}

}  // namespace rk::testing
