// Namespace probes: each unshare(2)s one kind in the probe's own child process and checks that
// the namespace really changed and behaves as a fresh one.
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "probes.hpp"
#include "sys.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace rk::probe {
namespace {

ino_t ns_inode(const std::string& link) {
  struct stat st;
  if (::stat(link.c_str(), &st) != 0) fail_errno("stat " + link, errno);
  return st.st_ino;
}

// unshare(flag), failing with the kernel's errno, and checks /proc/self/ns/<name> (or the
// *_for_children link for pid/time) changed.
void unshare_checked(int flag, const std::string& name, const std::string& link_name) {
  std::string link = "/proc/self/ns/" + link_name;
  if (!path_exists(link)) fail_msg(link + " missing (" + name + " namespaces not built in)");
  ino_t before = ns_inode(link);
  step("unshare " + name);
  if (::unshare(flag) != 0) fail_errno("unshare(CLONE_NEW" + name + ")", errno);
  ino_t after = ns_inode(link);
  require(before != after, link + " unchanged after unshare");
}

}  // namespace

Outcome probe_ns_user() {
  unshare_checked(CLONE_NEWUSER, "USER", "user");
  // A fresh user namespace maps nothing until uid_map is written; we are root outside, so
  // mapping 0 -> 0 is allowed.
  step("write uid_map");
  write_file_or_fail("/proc/self/setgroups", "deny");
  write_file_or_fail("/proc/self/uid_map", "0 0 1");
  write_file_or_fail("/proc/self/gid_map", "0 0 1");
  require(::getuid() == 0, "uid is not 0 after mapping");
  return pass("unshare(CLONE_NEWUSER); uid_map/gid_map written, uid 0 inside");
}

Outcome probe_ns_pid() {
  // pid_for_children only resolves once the new namespace has a process, so compare the
  // child's own pid namespace with ours.
  ino_t before = ns_inode("/proc/self/ns/pid");
  step("unshare PID");
  if (::unshare(CLONE_NEWPID) != 0) fail_errno("unshare(CLONE_NEWPID)", errno);
  step("fork into the new pid namespace");
  std::string r = run_child([before] {
    if (::getpid() != 1) return "first child is pid " + std::to_string(::getpid()) + ", not 1";
    struct stat st;
    if (::stat("/proc/self/ns/pid", &st) != 0) return "stat /proc/self/ns/pid: " + errno_str(errno);
    return st.st_ino != before ? std::string() : "child still in the parent's pid namespace";
  });
  if (!r.empty()) fail_msg(r);
  return pass("unshare(CLONE_NEWPID); first child is pid 1 in a new namespace");
}

Outcome probe_ns_net() {
  unshare_checked(CLONE_NEWNET, "NET", "net");
  require(::if_nametoindex("lo") != 0, "no lo in the new network namespace");
  require(::if_nametoindex("eth0") == 0, "eth0 visible in the new network namespace");
  return pass("unshare(CLONE_NEWNET); fresh namespace with only lo");
}

Outcome probe_ns_mnt() {
  unshare_checked(CLONE_NEWNS, "NS", "mnt");
  step("make mounts private");
  check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "mount --make-rprivate /");
  std::string dir = "/run/rk-probe-mntns";
  mount_or_fail("tmpfs", dir, "tmpfs", 0, "size=64k");
  require(mounted_type(dir) == "tmpfs", "tmpfs not visible in the new mount namespace");
  // The init process must not see it.
  auto init_mounts = read_file_or_fail("/proc/1/mounts");
  require(init_mounts.find(" " + dir + " ") == std::string::npos,
          "mount in the new namespace leaked into init's");
  return pass("unshare(CLONE_NEWNS); private tmpfs mount invisible to init");
}

Outcome probe_ns_uts() {
  utsname before{};
  ::uname(&before);
  std::string r = run_child([] {
    if (::unshare(CLONE_NEWUTS) != 0) return "unshare(CLONE_NEWUTS): " + errno_str(errno);
    const char name[] = "rk-probe-uts";
    if (::sethostname(name, sizeof name - 1) != 0) return "sethostname: " + errno_str(errno);
    utsname u{};
    ::uname(&u);
    return std::strcmp(u.nodename, name) == 0 ? std::string() : "hostname not set inside";
  });
  if (!r.empty()) fail_msg(r);
  utsname after{};
  ::uname(&after);
  require(std::strcmp(before.nodename, after.nodename) == 0,
          "hostname change leaked out of the UTS namespace");
  return pass("unshare(CLONE_NEWUTS); hostname set inside, unchanged outside");
}

Outcome probe_ns_ipc() {
  // A System V message queue made outside must not be visible inside.
  step("msgget outside");
  const key_t key = 0x726b7072;
  int id = ::msgget(key, IPC_CREAT | 0600);
  if (id < 0) fail_errno("msgget (System V IPC)", errno);
  std::string r = run_child([key] {
    if (::unshare(CLONE_NEWIPC) != 0) return "unshare(CLONE_NEWIPC): " + errno_str(errno);
    if (::msgget(key, 0) >= 0) return std::string("queue from outside visible inside");
    return errno == ENOENT ? std::string() : "msgget inside: " + errno_str(errno);
  });
  ::msgctl(id, IPC_RMID, nullptr);
  if (!r.empty()) fail_msg(r);
  return pass("unshare(CLONE_NEWIPC); System V queue from outside invisible inside");
}

Outcome probe_ns_cgroup() {
  ensure_cgroup2();
  unshare_checked(CLONE_NEWCGROUP, "CGROUP", "cgroup");
  std::string cg = read_file_or_fail("/proc/self/cgroup");
  require(cg.find("0::/\n") != std::string::npos, "/proc/self/cgroup inside reads " + cg);
  return pass("unshare(CLONE_NEWCGROUP); own cgroup is the namespace root");
}

Outcome probe_ns_time() {
  unshare_checked(CLONE_NEWTIME, "TIME", "time_for_children");
  // Offsets can be set until the first process enters the namespace.
  step("write timens_offsets");
  write_file_or_fail("/proc/self/timens_offsets", "monotonic 86400 0");
  timespec outside{};
  ::clock_gettime(CLOCK_MONOTONIC, &outside);
  step("read the clock in the new time namespace");
  std::string r = run_child([outside] {
    timespec inside{};
    ::clock_gettime(CLOCK_MONOTONIC, &inside);
    long diff = inside.tv_sec - outside.tv_sec;
    if (diff < 86390 || diff > 86410)
      return "CLOCK_MONOTONIC offset inside is " + std::to_string(diff) + " s, expected 86400";
    return std::string();
  });
  if (!r.empty()) fail_msg(r);
  return pass("unshare(CLONE_NEWTIME); monotonic offset of 1 day seen by the child");
}

}  // namespace rk::probe
