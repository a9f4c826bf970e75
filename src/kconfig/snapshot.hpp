// A parsed Tree as bytes, and back: what lets a later run skip preprocessing, lexing, parsing
// and finalizing a kernel tree it has seen before (see parse_cache.hpp for when a snapshot may
// stand in for a parse). The bytes are for the same build of the engine on the same machine
// only: native byte order and layout, no attempt at compatibility across versions.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kconfig/tree.hpp"

namespace rk::kconfig {

class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The whole tree as parse_kconfig() returns it. Must be called before anything builds the
// conf_* forms (Tree::ensure_conf_forms), i.e. straight after parsing.
std::string snapshot_tree(const Tree& tree);

// Rebuilds the tree that snapshot_tree() wrote. Throws SnapshotError on bytes it did not write
// (truncated, corrupted): every count and reference is checked before it is used. The tree's
// help texts stay in `bytes`, which `owner` keeps: the tree holds on to it.
std::unique_ptr<Tree> restore_tree(std::string_view bytes, std::shared_ptr<const void> owner);
// The same for bytes in memory, which the tree then owns.
std::unique_ptr<Tree> restore_tree(std::string bytes);

}  // namespace rk::kconfig
