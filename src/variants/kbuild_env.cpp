#include "variants/kbuild_env.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace rk::variants {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "VERSION = 6" style assignments at the top of the kernel Makefile.
std::map<std::string, std::string> makefile_versions(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line) && ++n < 50) {
    for (const char* key : {"VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"}) {
      std::string k = key;
      if (line.rfind(k, 0) != 0) continue;
      size_t eq = line.find('=', k.size());
      if (eq == std::string::npos) continue;
      std::string between = line.substr(k.size(), eq - k.size());
      if (between.find_first_not_of(" \t") != std::string::npos) continue;
      std::string value = line.substr(eq + 1);
      size_t b = value.find_first_not_of(" \t");
      size_t e = value.find_last_not_of(" \t\r");
      out[k] = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    }
  }
  return out;
}

}  // namespace

std::string host_machine() {
  struct utsname u {};
  if (uname(&u) != 0) return "unknown";
  return u.machine;
}

std::string cross_compile_for(const ArchSpec& arch, const std::string& host) {
  return host == arch.uname_machine ? std::string() : arch.cross_compile;
}

std::string tree_kernel_version(const std::string& tree_dir) {
  std::string text = read_file(tree_dir + "/Makefile");
  if (text.empty())
    throw MatrixError(
        fmt::format("{}/Makefile: cannot read the kernel tree's Makefile (is {} a "
                    "kernel source tree? `runner-kernel fetch` makes one)",
                    tree_dir, tree_dir));
  auto v = makefile_versions(text);
  std::string out = v["VERSION"];
  if (!v["PATCHLEVEL"].empty()) {
    out += "." + v["PATCHLEVEL"];
    if (!v["SUBLEVEL"].empty()) out += "." + v["SUBLEVEL"];
  }
  return out + v["EXTRAVERSION"];
}

kconfig::Environment kbuild_environment(const ArchSpec& arch, const std::string& tree_dir,
                                        const std::string& host, kconfig::ShellRunner& shell) {
  kconfig::Environment env;
  // The macros run the toolchain: they need a PATH, and nothing else from the caller's
  // environment may leak into the result.
  const char* path = std::getenv("PATH");
  env["PATH"] = path ? path : "/usr/local/bin:/usr/bin:/bin";
  env["srctree"] = tree_dir;
  env["objtree"] = ".";
  env["ARCH"] = arch.kbuild_arch;
  env["SRCARCH"] = arch.srcarch;
  env["KERNELVERSION"] = tree_kernel_version(tree_dir);
  // arch/x86/Makefile names its defconfig after ARCH; the others use "defconfig".
  env["KBUILD_DEFCONFIG"] = arch.srcarch == "x86" ? arch.kbuild_arch + "_defconfig" : "defconfig";
  std::string cross = cross_compile_for(arch, host);
  env["CROSS_COMPILE"] = cross;
  for (const char* tool : {"CC=gcc", "LD=ld", "AR=ar", "NM=nm", "STRIP=strip", "OBJCOPY=objcopy",
                           "OBJDUMP=objdump", "READELF=readelf"}) {
    std::string t = tool;
    size_t eq = t.find('=');
    env[t.substr(0, eq)] = cross + t.substr(eq + 1);
  }
  env["CPP"] = env["CC"] + " -E";
  env["HOSTCC"] = "gcc";
  env["HOSTCXX"] = "g++";
  env["PAHOLE"] = "pahole";
  env["PYTHON3"] = "python3";
  // The runner kernel has no Rust code. Left at Kbuild's defaults, RUST_IS_AVAILABLE (and
  // so the .config) would depend on whether the machine happens to have rustc and bindgen;
  // `false` makes every machine answer "no". The build stage passes the same values to make.
  env["RUSTC"] = "false";
  env["BINDGEN"] = "false";
  env["CARGO"] = "false";

  std::string makefile = read_file(tree_dir + "/Makefile");
  // The kernel Makefile's own commands, so that results match make's and profiles share them.
  std::string cc_text = shell.run(
      fmt::format("LC_ALL=C {} --version 2>/dev/null | head -n 1", env["CC"]), env, tree_dir);
  std::erase(cc_text, '#');
  env["CC_VERSION_TEXT"] = cc_text;
  if (makefile.find("RUSTC_VERSION_TEXT") != std::string::npos) {
    std::string rust_text =
        shell.run(fmt::format("{} --version 2>/dev/null", env["RUSTC"]), env, tree_dir);
    std::erase(rust_text, '#');
    env["RUSTC_VERSION_TEXT"] = rust_text;
  }
  return env;
}

}  // namespace rk::variants
