// Two `runner-kernel fetch` processes of the same branch at the same moment, for real: both
// must end with the complete, verified tree (one extracts, the other waits for the branch's
// lock and finds it), never with one deleting the other's extraction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../child_process.hpp"
#include "source/fetch.hpp"
#include "source/util.hpp"
#include "source_test_util.hpp"

namespace rk::source {
namespace {

using namespace testing;
using ::testing::HasSubstr;

// Starts `runner-kernel fetch ARGS...` with RK_CACHE=`cache`, its output into `log`.
pid_t start_fetch(const std::string& cache, std::vector<std::string> args, const std::string& log) {
  args.insert(args.begin(), "fetch");
  return rk::testing::start_child(RK_CLI, args, {{"RK_CACHE", cache}}, log);
}

using rk::testing::wait_exit;

TEST(ConcurrentFetch, TwoProcessesOfOneBranchBothEndWithTheCompleteTree) {
  TempCache cache;
  // A package big enough that extraction takes a while: thousands of files, so that without
  // the lock the second fetch would delete the first's temporary directory mid-extraction.
  fs::path debs = cache.cache() / "debs";
  fs::create_directories(debs);
  Tree tree = fake_kernel("6.1.192");
  for (int i = 0; i < 4000; ++i)
    tree["drivers/gen/f" + std::to_string(i) + ".c"] = std::string(600, 'a' + i % 26);
  fs::path root = debs / "debroot";
  spit(root / "DEBIAN" / "control",
       "Package: linux-source-6.1\nVersion: 6.1.192-2\nArchitecture: all\nMaintainer: Test "
       "<test@example.org>\nDescription: fake kernel source for tests\n");
  spit(root / "usr" / "src" / "linux-source-6.1.tar.xz", make_tarball("linux-source-6.1", tree));
  fs::path deb = debs / "linux-source-6.1_6.1.192-2_all.deb";
  ToolResult built = run_tool(Tool{"dpkg-deb", "dpkg"}, {"dpkg-deb", "--root-owner-group",
                                                         "--build", root.string(), deb.string()});
  ASSERT_EQ(built.exit_code, 0) << built.output;
  fs::remove_all(root);
  std::string text = slurp(fs::path(RK_FIXTURES) / "variants.toml");
  text = replace_all(text, "@BASE@", "http://127.0.0.1:1");
  text = replace_all(text, "@DEBSHA@", sha256_file(deb.string()));
  text = replace_all(text, "@PATCHES@", "");
  fs::path matrix = cache.dir() / "checkout" / "variants.toml";
  spit(matrix, text);

  std::vector<std::string> args{"--matrix", matrix.string(), "--from", "debian", "6.1"};
  std::string log_a = (cache.dir() / "a.log").string(), log_b = (cache.dir() / "b.log").string();
  pid_t a = start_fetch(cache.cache().string(), args, log_a);
  pid_t b = start_fetch(cache.cache().string(), args, log_b);
  int rc_a = wait_exit(a), rc_b = wait_exit(b);
  std::string out_a = slurp(log_a), out_b = slurp(log_b);
  EXPECT_EQ(rc_a, 0) << out_a;
  EXPECT_EQ(rc_b, 0) << out_b;
  // One extracted, the other waited and found it.
  EXPECT_THAT(out_a + out_b, HasSubstr("waiting for another runner-kernel"));
  EXPECT_THAT(out_a + out_b, HasSubstr("present: debian tree"));

  fs::path dir = cache.cache() / "sources" / "6.1.192-debian";
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, tree.size());
  auto marker = read_marker("6.1.192", "debian");  // TempCache points RK_CACHE at the cache
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->sha256, sha256_file(deb.string()));
  for (const auto& e : fs::directory_iterator(cache.cache() / "sources"))
    EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos) << e.path();
}

}  // namespace
}  // namespace rk::source
