// A throwaway repository for variants tests: a variants.toml and fragments in a temp dir,
// every branch resolved over the small Kconfig tree in fixtures/check-tree.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::variants::testing {

class FixtureRepo {
 public:
  // `fragments_toml`: the [[fragment]] tables to append to a one-branch, two-arch matrix.
  explicit FixtureRepo(const std::string& fragments_toml) {
    char tmpl[] = "/tmp/rk-variants-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    write("variants.toml", std::string(kHead) + fragments_toml);
  }
  ~FixtureRepo() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  std::string read(const std::string& rel) const {
    std::ifstream in(std::filesystem::path(dir_) / rel, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }

  std::unique_ptr<Workspace> workspace() const {
    Matrix m = Matrix::load(path("variants.toml"));
    std::string tree = std::string(RK_FIXTURES) + "/check-tree";
    return std::make_unique<Workspace>(
        std::move(m), [tree](const BranchSpec&) { return tree; }, ToolchainMode::Live);
  }

 private:
  static constexpr const char* kHead = R"(
[project]
name = "fixture"
version = "0.0.1"

[arch.x86_64]
kbuild_arch = "x86_64"
srcarch = "x86"
target = "vmlinux"
cross_compile = "x86_64-linux-gnu-"
oci_platform = "linux/amd64"

[arch.arm64]
kbuild_arch = "arm64"
srcarch = "arm64"
target = "Image"
cross_compile = "aarch64-linux-gnu-"
oci_platform = "linux/arm64"

[branch."6.1"]
version = "6.1.0"
debian = { package = "linux-source-6.1", version = "6.1.0-1", suite = "bookworm" }

[matrix]
branches = ["6.1"]
arches = ["x86_64", "arm64"]
)";
  std::string dir_;
};

}  // namespace rk::variants::testing
