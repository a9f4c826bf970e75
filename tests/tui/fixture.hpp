// The miniature matrix (fixtures/mini) copied to a temporary directory, so tests may save.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "variants/matrix.hpp"
#include "variants/workspace.hpp"

namespace rk::tui::testing {

namespace fs = std::filesystem;

class MiniMatrix {
 public:
  MiniMatrix() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("rk-tui-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::copy(fs::path(RK_FIXTURES) / "mini", dir_, fs::copy_options::recursive);
  }
  ~MiniMatrix() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  MiniMatrix(const MiniMatrix&) = delete;
  MiniMatrix& operator=(const MiniMatrix&) = delete;

  std::string dir() const { return dir_.string(); }
  std::string matrix_path() const { return (dir_ / "variants.toml").string(); }
  std::string tree(const std::string& branch) const { return (dir_ / "trees" / branch).string(); }

  std::unique_ptr<variants::Workspace> workspace() const {
    std::string root = dir();
    auto locator = [root](const variants::BranchSpec& b) { return root + "/trees/" + b.name; };
    return std::make_unique<variants::Workspace>(variants::Matrix::load(matrix_path()), locator,
                                                 variants::ToolchainMode::Live);
  }

  std::string read(const std::string& relative) const {
    std::ifstream in(dir_ / relative);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  fs::path dir_;
};

}  // namespace rk::tui::testing
