// Which release's rules apply when ParseOptions::dialect is not given: KERNELVERSION, then the
// Makefile of $srctree, then ./Makefile, then 6.12.
#include <gtest/gtest.h>

#include <map>

#include "kconfig/parse.hpp"

namespace rk::kconfig {
namespace {

Dialect detect(std::map<std::string, std::string> files, Environment env,
               const std::string& srctree = "") {
  Diagnostics diag;
  struct NoShell : ShellRunner {
    std::string run(const std::string&, const Environment&, const std::string&) override {
      return {};
    }
  } shell;
  files["/w/Kconfig"] = "config A\n\tbool\n";
  ParseOptions o;
  o.cwd = "/w";
  o.srctree = srctree;
  o.env = std::move(env);
  o.shell = &shell;
  o.diag = &diag;
  o.finalize = false;
  o.read_file = [&files](const std::string& path, std::string& text) {
    auto it = files.find(path);
    if (it == files.end()) return false;
    text = it->second;
    return true;
  };
  return parse_kconfig(o)->dialect;
}

TEST(DialectDetection, Order) {
  const std::string mk61 = "# SPDX\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\n";
  const std::string mk510 = "VERSION = 5\nPATCHLEVEL = 10\n";
  EXPECT_EQ(detect({{"/w/Makefile", mk61}}, {{"KERNELVERSION", "5.10.262"}}).code(), 5010);
  EXPECT_EQ(detect({{"/w/Makefile", mk61}}, {}).code(), 6001);
  EXPECT_EQ(detect({{"/w/Makefile", mk61}, {"/src/Makefile", mk510}}, {}, "/src").code(), 5010);
  EXPECT_EQ(detect({{"/w/Makefile", mk61}}, {{"srctree", "/nowhere"}}).code(), 6001);
  EXPECT_EQ(detect({}, {}).code(), 6012);
  EXPECT_EQ(detect({{"/w/Makefile", "all:\n\ttrue\n"}}, {}).code(), 6012);
}

}  // namespace
}  // namespace rk::kconfig
