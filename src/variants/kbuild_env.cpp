#include "variants/kbuild_env.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <sstream>

#include "base/file.hpp"
#include "base/kernel_version.hpp"

namespace rk::variants {

std::string host_machine() {
  struct utsname u {};
  if (uname(&u) != 0) return "unknown";
  return u.machine;
}

std::string cross_compile_for(const ArchSpec& arch, const std::string& host) {
  return host == arch.uname_machine ? std::string() : arch.cross_compile;
}

std::string tree_kernel_version(const std::string& tree_dir) {
  auto version = base::read_tree_version(tree_dir);
  if (!version)
    throw VariantsError(
        ErrorKind::kTree,
        fmt::format("{}/Makefile: cannot read the kernel release from the tree's Makefile (is {} "
                    "a kernel source tree? `runner-kernel fetch` makes one)",
                    tree_dir, tree_dir));
  return version->kernelversion();
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

  std::string makefile = base::read_file_if_readable(tree_dir + "/Makefile").value_or("");
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
