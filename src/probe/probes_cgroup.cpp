// cgroup probes: v1 hierarchies, v2 controllers and limits, and a cgroup BPF program.
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "probes.hpp"
#include "sys.hpp"

namespace rk::probe {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  std::string w;
  while (in >> w)
    if (w == word) return true;
  return false;
}

// Whether /proc/cgroups lists the controller as enabled.
bool proc_cgroups_has(const std::string& ctrl) {
  auto text = read_file("/proc/cgroups");
  if (!text) return false;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, hier, num, enabled;
    f >> name >> hier >> num >> enabled;
    if (name == ctrl) return enabled == "1";
  }
  return false;
}

// A column of the controller's line in /proc/cgroups (1: hierarchy id, 2: num_cgroups), or -1.
int proc_cgroups_field(const std::string& ctrl, int field) {
  auto text = read_file("/proc/cgroups");
  if (!text) return -1;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name;
    int hier = -1, num = -1;
    f >> name >> hier >> num;
    if (name == ctrl) return field == 1 ? hier : num;
  }
  return -1;
}
int proc_cgroups_count(const std::string& ctrl) {
  return proc_cgroups_field(ctrl, 2);
}
int proc_cgroups_hierarchy(const std::string& ctrl) {
  return proc_cgroups_field(ctrl, 1);
}

// Writes value to dir/file and checks the file then reads back as expect.
void set_and_check(const std::string& dir, const std::string& file, const std::string& value,
                   const std::string& expect) {
  std::string path = dir + "/" + file;
  step("write " + file);
  if (!path_exists(path)) fail_msg(file + " missing in " + dir);
  write_file_or_fail(path, value);
  std::string got = trim(read_file_or_fail(path));
  if (got.find(expect) == std::string::npos)
    fail_msg(file + " reads '" + got + "' after writing '" + value + "'");
}

pid_t spawn_sleeper() {
  pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork", errno);
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

void reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

void rmdir_retry(const std::string& dir) {
  for (int i = 0; i < 50; ++i) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    ::usleep(20 * 1000);
  }
}

}  // namespace

Outcome probe_cgroup1() {
  struct Hierarchy {
    const char* label;
    const char* opts;
    const char* controller;  // nullptr for a named hierarchy
    const char* file;        // must exist in a child cgroup
    const char* value;       // written to file when non-null and read back
  };
  const Hierarchy hierarchies[] = {
      {"name=rk-probe", "none,name=rk-probe", nullptr, "cgroup.procs", nullptr},
      {"cpu,cpuacct", "cpu,cpuacct", "cpu", "cpu.shares", "512"},
      {"memory", "memory", "memory", "memory.limit_in_bytes", "67108864"},
      {"pids", "pids", "pids", "pids.max", "32"},
      {"devices", "devices", "devices", "devices.list", nullptr},
      {"freezer", "freezer", "freezer", "freezer.state", nullptr},
      {"net_cls", "net_cls", "net_cls", "net_cls.classid", "1048577"},
  };
  std::string base = "/run/rk-probe-cg1";
  step("mount tmpfs for the hierarchies");
  ::umount2(base.c_str(), MNT_DETACH);
  mount_or_fail("tmpfs", base, "tmpfs", 0, "size=64k,mode=0755");
  std::vector<std::string> ok, bad;
  std::string v2_subtree;
  if (mounted_type("/sys/fs/cgroup") == "cgroup2")
    v2_subtree = read_file("/sys/fs/cgroup/cgroup.subtree_control").value_or("");
  for (const Hierarchy& h : hierarchies) {
    std::string dir = base + "/" + std::to_string(&h - hierarchies);
    step(std::string("mount cgroup v1 ") + h.label);
    int err = mount_fs("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, h.opts);
    if (err) {
      std::string why = errno_str(err);
      if (h.controller && !proc_cgroups_has(h.controller))
        why += ", not in /proc/cgroups";
      else if (h.controller && err == EBUSY && has_word(v2_subtree, h.controller))
        why += ", bound to cgroup2";
      bad.push_back(std::string(h.label) + ": mount " + why);
      continue;
    }
    std::string child = dir + "/rk-probe";
    std::string problem;
    if (::mkdir(child.c_str(), 0755) != 0 && errno != EEXIST) {
      problem = "mkdir child: " + errno_str(errno);
    } else if (!path_exists(child + "/" + h.file)) {
      problem = std::string(h.file) + " missing";
    } else if (h.value) {
      int werr = write_file(child + "/" + h.file, h.value);
      std::string got = trim(read_file(child + "/" + h.file).value_or(""));
      if (werr)
        problem = std::string("write ") + h.file + ": " + errno_str(werr);
      else if (got != h.value)
        problem = std::string(h.file) + " reads '" + got + "'";
    }
    ::rmdir(child.c_str());
    // A hierarchy is only destroyed (freeing its controllers for cgroup2) when it is unmounted
    // with no child cgroups left, and a removed child lingers until its release work ran.
    if (h.controller) {
      step(std::string("wait for the child of ") + h.label + " to be released");
      for (int i = 0; i < 100 && proc_cgroups_count(h.controller) > 1; ++i) ::usleep(20 * 1000);
    }
    ::umount2(dir.c_str(), 0);
    if (problem.empty())
      ok.push_back(h.label);
    else
      bad.push_back(std::string(h.label) + ": " + problem);
  }
  ::umount2(base.c_str(), MNT_DETACH);
  if (!bad.empty()) fail_msg(join(bad, "; ") + (ok.empty() ? "" : " (ok: " + join(ok, " ") + ")"));
  return pass("v1 hierarchies mounted with a child cgroup: " + join(ok, " "));
}

Outcome probe_cgroup2() {
  std::string root = ensure_cgroup2();
  const std::vector<std::string> wanted = {"cpu", "memory", "pids", "io", "cpuset"};
  // Hierarchies of cgroup1 are released asynchronously after their unmount: give the
  // controllers a moment to come back to v2.
  step("read cgroup.controllers");
  std::vector<std::string> missing;
  std::string have;
  for (int i = 0; i < 60; ++i) {
    have = trim(read_file_or_fail(root + "/cgroup.controllers"));
    missing.clear();
    for (const auto& c : wanted)
      if (!has_word(have, c)) missing.push_back(c);
    if (missing.empty()) break;
    ::usleep(50 * 1000);
  }
  if (!missing.empty()) {
    std::vector<std::string> on_v1;
    for (const auto& c : missing)
      if (proc_cgroups_hierarchy(c) > 0) on_v1.push_back(c);
    fail_msg("controllers missing from cgroup.controllers: " + join(missing, " ") + " (have: " +
             have + ")" + (on_v1.empty() ? "" : "; bound to cgroup v1: " + join(on_v1, " ")));
  }
  auto enable = [&](const std::string& dir) {
    for (const auto& c : wanted) {
      step("enable +" + c + " in " + dir);
      int err = write_file(dir + "/cgroup.subtree_control", "+" + c);
      if (err) fail_errno("enable +" + c + " in " + dir + "/cgroup.subtree_control", err);
    }
    std::string sc = read_file_or_fail(dir + "/cgroup.subtree_control");
    for (const auto& c : wanted)
      if (!has_word(sc, c)) fail_msg(c + " not in " + dir + "/cgroup.subtree_control: " + trim(sc));
  };
  std::string parent = root + "/rk-probe";
  std::string job = parent + "/job";
  rmdir_retry(job);
  rmdir_retry(parent);
  enable(root);
  mkdir_or_fail(parent);
  pid_t sleeper = -1;
  std::string detail;
  auto cleanup = [&] {
    if (sleeper > 0) reap(sleeper);
    rmdir_retry(job);
    rmdir_retry(parent);
    for (const auto& c : wanted) write_file(root + "/cgroup.subtree_control", "-" + c);
  };
  try {
    enable(parent);
    mkdir_or_fail(job);
    set_and_check(job, "memory.max", "67108864", "67108864");
    set_and_check(job, "pids.max", "32", "32");
    set_and_check(job, "cpu.max", "50000 100000", "50000 100000");
    set_and_check(job, "cpuset.cpus", "0", "0");
    set_and_check(job, "cpuset.mems", "0", "0");
    std::string io;
    std::string devno = trim(read_file("/sys/block/vda/dev").value_or(""));
    if (!devno.empty() && path_exists(job + "/io.max")) {
      set_and_check(job, "io.max", devno + " rbps=1048576", devno + " rbps=1048576");
      io = "io.max(" + devno + ")";
    } else if (path_exists(job + "/io.weight")) {
      set_and_check(job, "io.weight", "default 50", "default 50");
      io = "io.weight";
    } else if (devno.empty()) {
      io = "io (no block device for io.max)";
    } else {
      fail_msg("io controller has neither io.max nor io.weight");
    }
    step("move a process in");
    sleeper = spawn_sleeper();
    write_file_or_fail(job + "/cgroup.procs", std::to_string(sleeper));
    std::string where = trim(read_file_or_fail("/proc/" + std::to_string(sleeper) + "/cgroup"));
    if (where.find("0::/rk-probe/job") == std::string::npos)
      fail_msg("moved process is in '" + where + "'");
    std::string procs = read_file_or_fail(job + "/cgroup.procs");
    require(has_word(procs, std::to_string(sleeper)), "cgroup.procs does not list the process");
    std::string pids = trim(read_file_or_fail(job + "/pids.current"));
    require(pids == "1", "pids.current is '" + pids + "', expected 1");
    detail = "controllers cpu memory pids io cpuset enabled; memory.max pids.max cpu.max " + io +
             " cpuset.cpus set and read back; process moved in";
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
  return pass(detail);
}

Outcome probe_bpf() {
  rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  ::setrlimit(RLIMIT_MEMLOCK, &unlimited);  // kernels before 5.11 charge BPF memory here
  std::string root = ensure_cgroup2();
  std::string dir = root + "/rk-probe-bpf";
  rmdir_retry(dir);
  mkdir_or_fail(dir);
  // r0 = 1 (allow); exit
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[0].dst_reg = BPF_REG_0;
  insns[0].imm = 1;
  insns[1].code = BPF_JMP | BPF_EXIT;
  static char log[4096];
  auto load = [&](bool with_log) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
    attr.expected_attach_type = BPF_CGROUP_INET_EGRESS;
    attr.insns = reinterpret_cast<uint64_t>(insns);
    attr.insn_cnt = 2;
    attr.license = reinterpret_cast<uint64_t>("GPL");
    std::strncpy(attr.prog_name, "rk_probe", sizeof attr.prog_name - 1);
    if (with_log) {
      attr.log_buf = reinterpret_cast<uint64_t>(log);
      attr.log_size = sizeof log;
      attr.log_level = 1;
    }
    return static_cast<int>(::syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof attr));
  };
  std::string problem;
  step("BPF_PROG_LOAD");
  int prog = load(false);
  if (prog < 0) {
    int err = errno;
    log[0] = 0;
    load(true);
    std::string verifier = log;
    ::rmdir(dir.c_str());
    fail_errno("BPF_PROG_LOAD cgroup_skb" + (verifier.empty() ? "" : " (log: " + verifier + ")"),
               err);
  }
  Fd prog_fd(prog);
  Fd cg(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cg) problem = "open " + dir + ": " + errno_str(errno);
  auto bpf_cmd = [&](int cmd, bpf_attr& attr) {
    return ::syscall(__NR_bpf, cmd, &attr, sizeof attr) == 0 ? 0 : errno;
  };
  auto query = [&](uint32_t& count) {
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    uint32_t ids[8];
    attr.query.target_fd = static_cast<uint32_t>(cg.get());
    attr.query.attach_type = BPF_CGROUP_INET_EGRESS;
    attr.query.prog_ids = reinterpret_cast<uint64_t>(ids);
    attr.query.prog_cnt = 8;
    int err = bpf_cmd(BPF_PROG_QUERY, attr);
    count = attr.query.prog_cnt;
    return err;
  };
  if (problem.empty()) {
    step("BPF_PROG_ATTACH");
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cg.get());
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd.get());
    attr.attach_type = BPF_CGROUP_INET_EGRESS;
    if (int err = bpf_cmd(BPF_PROG_ATTACH, attr)) problem = "BPF_PROG_ATTACH: " + errno_str(err);
  }
  if (problem.empty()) {
    step("BPF_PROG_QUERY");
    uint32_t count = 0;
    if (int err = query(count))
      problem = "BPF_PROG_QUERY: " + errno_str(err);
    else if (count != 1)
      problem = "BPF_PROG_QUERY lists " + std::to_string(count) + " programs";
  }
  if (problem.empty()) {
    step("BPF_PROG_DETACH");
    bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cg.get());
    attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd.get());
    attr.attach_type = BPF_CGROUP_INET_EGRESS;
    uint32_t count = 0;
    if (int err = bpf_cmd(BPF_PROG_DETACH, attr))
      problem = "BPF_PROG_DETACH: " + errno_str(err);
    else if (query(count) == 0 && count != 0)
      problem = "program still attached after detach";
  }
  cg = Fd();
  rmdir_retry(dir);
  if (!problem.empty()) fail_msg(problem);
  return pass(
      "cgroup_skb program (r0=1; exit) loaded, attached to inet egress of a cgroup2 dir, "
      "queried, detached");
}

}  // namespace rk::probe
