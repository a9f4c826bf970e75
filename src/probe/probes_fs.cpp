// Filesystem and block probes: mounts, overlayfs, loop, virtio-blk, ext4, squashfs, binfmt_misc,
// fuse, /proc/config.gz.
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/fuse.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "probes.hpp"
#include "sys.hpp"

namespace rk::probe {
namespace {

const std::string kDiskContent = "runner-kernel probe disk\n";

bool fs_supported(const std::string& type) {
  auto fs = read_file("/proc/filesystems");
  if (!fs) return true;  // unknown: let mount say
  return fs->find("\t" + type + "\n") != std::string::npos;
}

std::string mount_hint(const std::string& type, int err) {
  if (err == ENODEV && !fs_supported(type)) return " (" + type + " not in /proc/filesystems)";
  return "";
}

// What the first sectors of a disk hold, for failure details ("squashfs", "ext4", ...).
std::string disk_holds(const std::string& dev) {
  Fd fd(::open(dev.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "unreadable: " + errno_str(errno);
  unsigned char b[2048] = {};
  if (::pread(fd.get(), b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) return "under 2 KiB";
  if (std::memcmp(b, "hsqs", 4) == 0) return "squashfs";
  if (b[1080] == 0x53 && b[1081] == 0xEF) return "ext2/3/4";
  return "no known filesystem";
}

// Makes sure `type` is mounted at target (init mounts proc, sysfs and devtmpfs at start-up);
// mounts it when missing and fails with the errno.
void ensure_mounted(const std::string& source, const std::string& target, const std::string& type) {
  step("check " + type + " at " + target);
  if (mounted_type(target) == type) return;
  int err = mount_fs(source, target, type, MS_NOSUID);
  if (err && err != EBUSY)
    fail_errno("mount -t " + type + " " + target + mount_hint(type, err), err);
  if (mounted_type(target) != type) fail_msg(type + " is not mounted at " + target);
}

std::string check_devpts() {
  step("mount devpts");
  std::string target = "/dev/pts";
  if (mounted_type(target) != "devpts")
    mount_or_fail("devpts", target, "devpts", MS_NOSUID | MS_NOEXEC,
                  "newinstance,ptmxmode=0666,mode=0620");
  step("open /dev/pts/ptmx");
  Fd ptmx(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!ptmx) fail_errno("open /dev/pts/ptmx", errno);
  int unlock = 0;
  check(::ioctl(ptmx.get(), TIOCSPTLCK, &unlock), "TIOCSPTLCK");
  unsigned n = 0;
  check(::ioctl(ptmx.get(), TIOCGPTN, &n), "TIOCGPTN");
  std::string pts = "/dev/pts/" + std::to_string(n);
  Fd slave(::open(pts.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) fail_errno("open " + pts, errno);
  check(::write(slave.get(), "x", 1), "write to " + pts);
  char c = 0;
  check(::read(ptmx.get(), &c, 1), "read from ptmx");
  require(c == 'x', "pty did not carry a byte from " + pts + " to ptmx");
  return "devpts(pty " + std::to_string(n) + ")";
}

std::string check_tmpfs_xattr() {
  std::string dir = "/run/rk-probe-tmpfs";
  step("mount tmpfs");
  ::umount2(dir.c_str(), MNT_DETACH);
  mount_or_fail("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755");
  std::string file = dir + "/x";
  require(write_file(file, "x", O_CREAT | O_TRUNC) == 0, "create file on tmpfs");
  auto try_xattr = [&](const std::string& name) -> int {
    const char value[] = "rk-probe";
    if (::setxattr(file.c_str(), name.c_str(), value, sizeof value, 0) != 0) return errno;
    char got[64] = {};
    ssize_t n = ::getxattr(file.c_str(), name.c_str(), got, sizeof got);
    if (n < 0) return errno;
    if (static_cast<size_t>(n) != sizeof value || std::memcmp(got, value, sizeof value) != 0)
      return EBADMSG;
    return 0;
  };
  step("tmpfs user.* xattr");
  std::string detail;
  int err = try_xattr("user.rk-probe");
  if (err == 0) {
    detail = "tmpfs(user.* xattr)";
  } else if (err == EOPNOTSUPP) {
    step("tmpfs trusted.* xattr");
    int err2 = try_xattr("trusted.rk-probe");
    if (err2) {
      ::umount2(dir.c_str(), MNT_DETACH);
      fail_errno("tmpfs xattrs: user.* unsupported and trusted.* failed", err2);
    }
    detail = "tmpfs(trusted.* xattr; user.* EOPNOTSUPP, needs 6.6+)";
  } else {
    ::umount2(dir.c_str(), MNT_DETACH);
    fail_errno("tmpfs user.* xattr", err);
  }
  ::umount2(dir.c_str(), MNT_DETACH);
  return detail;
}

std::string mount_and_read(const std::string& dev, const std::string& type) {
  step("wait for " + dev);
  if (!wait_for_path(dev, 3000)) fail_msg(dev + " missing (no virtio-blk disk or no driver)");
  std::string dir = "/run/rk-probe-" + type;
  step("mount " + dev);
  ::umount2(dir.c_str(), MNT_DETACH);
  int err = mount_fs(dev, dir, type, MS_RDONLY);
  if (err) {
    std::string hint = mount_hint(type, err);
    if (hint.empty()) hint = " (" + dev + " holds " + disk_holds(dev) + ")";
    fail_errno("mount -t " + type + " -o ro " + dev + hint, err);
  }
  step("read probe.txt");
  int rerr = 0;
  auto content = read_file(dir + "/probe.txt", &rerr);
  ::umount2(dir.c_str(), MNT_DETACH);
  if (!content) fail_errno("read /probe.txt on " + dev, rerr);
  if (*content != kDiskContent)
    fail_msg("/probe.txt on " + dev + " holds '" + content->substr(0, 60) + "', expected '" +
             kDiskContent + "'");
  return dev + " mounted " + type + " ro, /probe.txt matches";
}

}  // namespace

Outcome probe_mounts() {
  std::vector<std::string> ok;
  ensure_mounted("proc", "/proc", "proc");
  require(path_exists("/proc/self/stat"), "/proc/self/stat missing");
  ok.push_back("proc");
  ensure_mounted("sysfs", "/sys", "sysfs");
  require(is_dir("/sys/kernel"), "/sys/kernel missing");
  ok.push_back("sysfs");
  ensure_mounted("devtmpfs", "/dev", "devtmpfs");
  struct stat st;
  if (::stat("/dev/null", &st) != 0) fail_errno("devtmpfs: stat /dev/null", errno);
  require(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3,
          "devtmpfs: /dev/null is not char 1:3");
  ok.push_back("devtmpfs");
  ok.push_back(check_devpts());
  ok.push_back(check_tmpfs_xattr());
  return pass(join(ok, " "));
}

Outcome probe_overlayfs() {
  std::string base = "/run/rk-probe-ovl";
  std::string lower = base + "/lower", upper = base + "/upper", work = base + "/work",
              merged = base + "/merged";
  ::umount2(merged.c_str(), MNT_DETACH);
  step("prepare dirs");
  // A tmpfs of its own, so that upper supports the trusted.* xattrs overlayfs wants.
  ::umount2(base.c_str(), MNT_DETACH);
  mount_or_fail("tmpfs", base, "tmpfs", 0, "size=4m");
  for (const auto& d : {lower, upper, work, merged}) mkdir_or_fail(d);
  require(write_file(lower + "/file", "lower\n", O_CREAT | O_TRUNC) == 0, "write lower/file");
  require(write_file(lower + "/gone", "x", O_CREAT | O_TRUNC) == 0, "write lower/gone");
  step("mount overlay");
  std::string opts = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
  int err = mount_fs("overlay", merged, "overlay", 0, opts);
  if (err) fail_errno("mount -t overlay" + mount_hint("overlay", err), err);
  auto cleanup = [&] {
    ::umount2(merged.c_str(), MNT_DETACH);
    ::umount2(base.c_str(), MNT_DETACH);
  };
  std::string problem;
  step("read merged/file");
  auto before = read_file(merged + "/file");
  if (!before || *before != "lower\n") problem = "merged/file does not show the lower content";
  if (problem.empty()) {
    step("copy-up by append");
    int fd = ::open((merged + "/file").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "upper\n", 6) != 6)
      problem = "append to merged/file: " + errno_str(errno);
    if (fd >= 0) ::close(fd);
  }
  if (problem.empty()) {
    auto up = read_file(upper + "/file");
    auto low = read_file(lower + "/file");
    auto mer = read_file(merged + "/file");
    if (!up || *up != "lower\nupper\n")
      problem = "upper/file does not hold the copied-up content";
    else if (!low || *low != "lower\n")
      problem = "lower/file changed by the write";
    else if (!mer || *mer != "lower\nupper\n")
      problem = "merged/file does not show the write";
  }
  if (problem.empty()) {
    step("whiteout by unlink");
    struct stat st;
    if (::unlink((merged + "/gone").c_str()) != 0)
      problem = "unlink merged/gone: " + errno_str(errno);
    else if (::lstat((upper + "/gone").c_str(), &st) != 0 || !S_ISCHR(st.st_mode) ||
             st.st_rdev != makedev(0, 0))
      problem = "no whiteout (char 0:0) in upper for the deleted file";
    else if (!path_exists(lower + "/gone"))
      problem = "lower/gone removed";
    else if (path_exists(merged + "/gone"))
      problem = "merged/gone still visible";
  }
  cleanup();
  if (!problem.empty()) fail_msg(problem);
  return pass(
      "overlay mounted; append copied up to upper, lower unchanged; unlink left a whiteout");
}

Outcome probe_loop() {
  step("create backing file");
  std::string img = "/run/rk-probe-loop.img";
  constexpr size_t kSize = 1 << 20;
  std::string pattern;
  while (pattern.size() < 4096) pattern += "rk-probe loop " + std::to_string(pattern.size()) + "\n";
  pattern.resize(4096);
  {
    Fd f(::open(img.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!f) fail_errno("create " + img, errno);
    check(::ftruncate(f.get(), kSize), "ftruncate");
    check(::pwrite(f.get(), pattern.data(), pattern.size(), 0), "write pattern");
  }
  step("open /dev/loop-control");
  if (!path_exists("/dev/loop-control"))
    fail_msg("/dev/loop-control missing (loop driver not built in)");
  Fd ctl(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!ctl) fail_errno("open /dev/loop-control", errno);
  int n = static_cast<int>(check(::ioctl(ctl.get(), LOOP_CTL_GET_FREE), "LOOP_CTL_GET_FREE"));
  std::string dev = "/dev/loop" + std::to_string(n);
  step("open " + dev);
  if (!wait_for_path(dev, 2000)) fail_msg(dev + " did not appear");
  Fd loop(::open(dev.c_str(), O_RDWR | O_CLOEXEC));
  if (!loop) fail_errno("open " + dev, errno);
  Fd backing(::open(img.c_str(), O_RDWR | O_CLOEXEC));
  if (!backing) fail_errno("open " + img, errno);
  step("LOOP_CONFIGURE");
  std::string how = "LOOP_CONFIGURE";
  loop_config cfg{};
  cfg.fd = static_cast<unsigned>(backing.get());
  if (::ioctl(loop.get(), LOOP_CONFIGURE, &cfg) != 0) {
    int err = errno;
    if (err != EINVAL && err != ENOTTY) fail_errno("LOOP_CONFIGURE on " + dev, err);
    step("LOOP_SET_FD");
    how = "LOOP_SET_FD";
    check(::ioctl(loop.get(), LOOP_SET_FD, backing.get()), "LOOP_SET_FD on " + dev);
  }
  std::string problem;
  uint64_t size = 0;
  if (::ioctl(loop.get(), BLKGETSIZE64, &size) != 0)
    problem = "BLKGETSIZE64: " + errno_str(errno);
  else if (size != kSize)
    problem = "loop size " + std::to_string(size) + " != " + std::to_string(kSize);
  if (problem.empty()) {
    step("read " + dev);
    std::string got(4096, '\0');
    ssize_t r = ::pread(loop.get(), got.data(), got.size(), 0);
    if (r != 4096)
      problem = "read " + dev + ": " + (r < 0 ? errno_str(errno) : "short read");
    else if (got != pattern)
      problem = "data read from " + dev + " differs from the backing file";
  }
  step("LOOP_CLR_FD");
  ::ioctl(loop.get(), LOOP_CLR_FD, 0);
  ::unlink(img.c_str());
  if (!problem.empty()) fail_msg(problem);
  return pass(dev + " attached with " + how + ", 4 KiB read back");
}

Outcome probe_virtio_blk() {
  step("wait for /sys/block/vda");
  if (!wait_for_path("/sys/block/vda", 3000))
    fail_msg("no /sys/block/vda (no virtio-blk disk or driver)");
  char link[256] = {};
  std::string driver = "?";
  if (::readlink("/sys/block/vda/device/driver", link, sizeof link - 1) > 0) {
    driver = link;
    driver = driver.substr(driver.rfind('/') + 1);
  }
  require(driver == "virtio_blk", "vda driver is '" + driver + "', not virtio_blk");
  std::string sectors = read_line_or_fail("/sys/block/vda/size");
  require(std::strtoull(sectors.c_str(), nullptr, 10) > 0, "vda has size 0");
  require(wait_for_path("/dev/vda", 2000), "/dev/vda node missing");
  step("O_DIRECT read of /dev/vda");
  bool direct = true;
  int fd = ::open("/dev/vda", O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0 && errno == EINVAL) {
    direct = false;
    fd = ::open("/dev/vda", O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) fail_errno("open /dev/vda", errno);
  Fd dev(fd);
  void* mem = std::aligned_alloc(4096, 4096);
  std::unique_ptr<unsigned char, decltype(&std::free)> buf(static_cast<unsigned char*>(mem),
                                                           &std::free);
  ssize_t n = ::pread(dev.get(), buf.get(), 4096, 0);
  if (n < 0) fail_errno("read sectors 0-7 of /dev/vda", errno);
  require(n == 4096, "short read from /dev/vda");
  // ext4 superblock at byte 1024, s_magic at offset 56: 0xEF53 little-endian.
  unsigned magic = buf.get()[1024 + 56] | (buf.get()[1024 + 57] << 8);
  if (magic != 0xEF53) {
    std::string holds = std::memcmp(buf.get(), "hsqs", 4) == 0
                            ? "squashfs: disks in the wrong order?"
                            : "no known filesystem";
    fail_msg("no ext4 superblock magic in the raw sectors of /dev/vda (" + holds + ")");
  }
  return pass("vda: " + sectors + " sectors, driver virtio_blk, " + (direct ? "O_DIRECT " : "") +
              "read of sectors 0-7 shows the ext4 superblock");
}

Outcome probe_ext4() {
  return pass(mount_and_read("/dev/vda", "ext4"));
}

Outcome probe_squashfs() {
  return pass(mount_and_read("/dev/vdb", "squashfs"));
}

Outcome probe_binfmt_misc() {
  const std::string dir = "/proc/sys/fs/binfmt_misc";
  step("check " + dir);
  if (!is_dir(dir)) fail_msg(dir + " missing (binfmt_misc not built in)");
  struct statfs sf;
  if (::statfs(dir.c_str(), &sf) != 0 || sf.f_type != BINFMTFS_MAGIC) {
    step("mount binfmt_misc");
    int err = mount_fs("binfmt_misc", dir, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (err) fail_errno("mount -t binfmt_misc" + mount_hint("binfmt_misc", err), err);
  }
  require(path_exists(dir + "/register"), dir + "/register missing after mount");
  const std::string entry = dir + "/rkprobe";
  if (path_exists(entry)) write_file(entry, "-1");
  step("register");
  write_file_or_fail(dir + "/register", ":rkprobe:E::rkp::/bin/false:");
  std::string text = read_file_or_fail(entry);
  if (text.find("enabled") == std::string::npos ||
      text.find("extension .rkp") == std::string::npos ||
      text.find("interpreter /bin/false") == std::string::npos)
    fail_msg("rkprobe entry reads '" + text + "'");
  step("unregister");
  write_file_or_fail(entry, "-1");
  require(!path_exists(entry), "rkprobe entry still present after unregistering");
  return pass("binfmt_misc mounted; format rkprobe registered, read back, unregistered");
}

Outcome probe_fuse() {
  step("stat /dev/fuse");
  struct stat st;
  if (::stat("/dev/fuse", &st) != 0) fail_errno("stat /dev/fuse", errno);
  require(S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 && minor(st.st_rdev) == 229,
          "/dev/fuse is not char 10:229");
  Fd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (!fuse) fail_errno("open /dev/fuse O_RDWR", errno);
  std::string dir = "/run/rk-probe-fuse";
  step("mount fuse");
  std::string opts = "fd=" + std::to_string(fuse.get()) + ",rootmode=40000,user_id=0,group_id=0";
  int err = mount_fs("rk-probe", dir, "fuse", MS_NOSUID | MS_NODEV, opts);
  if (err) fail_errno("mount -t fuse" + mount_hint("fuse", err), err);
  step("read FUSE_INIT");
  std::vector<char> buf(FUSE_MIN_READ_BUFFER * 16);
  pollfd pfd{fuse.get(), POLLIN, 0};
  std::string problem;
  if (::poll(&pfd, 1, 3000) <= 0) {
    problem = "no FUSE_INIT request from the kernel within 3 s";
  } else {
    ssize_t n = ::read(fuse.get(), buf.data(), buf.size());
    fuse_in_header h{};
    if (n >= static_cast<ssize_t>(sizeof h)) std::memcpy(&h, buf.data(), sizeof h);
    if (n < 0)
      problem = "read /dev/fuse: " + errno_str(errno);
    else if (h.opcode != FUSE_INIT)
      problem = "first request opcode " + std::to_string(h.opcode);
  }
  fuse = Fd();  // closing the device aborts the connection
  ::umount2(dir.c_str(), MNT_DETACH);
  if (!problem.empty()) fail_msg(problem);
  return pass("/dev/fuse opened; fuse mounted and FUSE_INIT received");
}

Outcome probe_config_gz() {
  step("read /proc/config.gz");
  int err = 0;
  auto data = read_file("/proc/config.gz", &err);
  if (!data) fail_errno("/proc/config.gz", err);
  require(data->size() > 1000,
          "/proc/config.gz is only " + std::to_string(data->size()) + " bytes");
  auto b = [&](size_t i) { return static_cast<unsigned char>((*data)[i]); };
  require(b(0) == 0x1f && b(1) == 0x8b && b(2) == 8, "/proc/config.gz is not gzip (deflate)");
  size_t n = data->size();
  // The gzip trailer ends with the uncompressed size (ISIZE, little-endian).
  uint32_t isize =
      b(n - 4) | (b(n - 3) << 8) | (b(n - 2) << 16) | (static_cast<uint32_t>(b(n - 1)) << 24);
  require(isize > 10000, "/proc/config.gz claims " + std::to_string(isize) + " bytes uncompressed");
  return pass(std::to_string(n) + " bytes gzip, " + std::to_string(isize) + " bytes of config");
}

}  // namespace rk::probe
