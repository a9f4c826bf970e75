#include "source/fetch.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>

#include "base/file.hpp"
#include "base/file_lock.hpp"
#include "source/archive.hpp"
#include "source/download.hpp"
#include "source/kernel_org.hpp"
#include "source/patches.hpp"
#include "source/pins.hpp"
#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

namespace {

struct Ctx {
  const variants::Matrix& matrix;
  variants::BranchSpec branch;  // a copy: --update-pins may move it to a newer release
  const FetchOptions& o;
  std::vector<PatchFile> patches;
  FetchReport report;

  template <typename... Args>
  void say(fmt::format_string<Args...> f, Args&&... args) {
    std::string s = fmt::format(f, std::forward<Args>(args)...);
    if (o.log) std::fprintf(o.log, "fetch %s: %s\n", branch.name.c_str(), s.c_str());
  }
  void note(const std::string& s) {
    report.notes.push_back(s);
    if (o.log) std::fprintf(o.log, "fetch %s: %s\n", branch.name.c_str(), s.c_str());
  }
};

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string pin_line(const variants::Matrix& m, const variants::BranchSpec& b) {
  return fmt::format("{}:{}", m.path, b.line);
}

void record_pins(Ctx& c, const std::vector<PinEdit>& edits) {
  if (!c.o.record_pins) return;
  write_pins(c.matrix.path, edits);
  for (const auto& e : edits)
    c.note(fmt::format("recorded {}.{} = \"{}\" for branch {} in {}", e.table, e.key, e.value,
                       e.branch, c.matrix.path));
}

std::vector<MarkerPatch> marker_patches(const std::vector<PatchFile>& series) {
  std::vector<MarkerPatch> out;
  for (const auto& p : series) out.push_back({p.path, p.sha256});
  return out;
}

ExtractOptions extract_options(const FetchOptions& o) {
  ExtractOptions e;
  e.log = o.log;
  e.tty = o.tty;
  e.cancel = o.cancel;
  e.free_space = o.free_space;
  return e;
}

// Extracts with `extract` into a temporary directory, checks the version, applies the patch
// series, renames the tree into place and writes the marker last.
TreeLocation install_tree(Ctx& c, TreeMarker marker,
                          const std::function<ExtractResult(const std::string&)>& extract) {
  const std::string key = tree_key(c.branch.version, marker.route);
  const fs::path sources(sources_dir());
  const fs::path final_dir = sources / key;
  std::error_code ec;
  fs::create_directories(sources, ec);
  remove_tree(c.branch.version, marker.route);  // a stale tree, marker first
  for (const auto& e : fs::directory_iterator(sources, ec))
    if (e.path().filename().string().rfind(".tmp-" + key + "-", 0) == 0)
      fs::remove_all(e.path(), ec);  // left by a run that died (we hold the branch's lock)
  std::string tmp = make_temp_dir(sources.string(), ".tmp-" + key + "-");
  try {
    ExtractResult r = extract(tmp);
    if (r.top_level.size() != 1)
      throw SourceError(ErrorKind::kOther,
                        fmt::format("expected one top-level directory in the archive, found {}",
                                    r.top_level.size()));
    fs::path tree = fs::path(tmp) / *r.top_level.begin();
    auto v = kernel_tree_version(tree.string());
    if (!v)
      throw SourceError(ErrorKind::kVersion,
                        "the archive is not a kernel tree (no Makefile with VERSION, PATCHLEVEL, "
                        "SUBLEVEL)");
    if (*v != c.branch.version)
      throw SourceError(
          ErrorKind::kVersion,
          fmt::format("the archive holds Linux {}, the branch pins {}", *v, c.branch.version));
    c.say("{} files extracted", r.files);
    if (!c.patches.empty()) {
      apply_patch_series(tree.string(), c.patches);
      c.say("applied {} patch(es)", c.patches.size());
    }
    fs::rename(tree, final_dir, ec);
    if (ec)
      throw SourceError(ErrorKind::kOther, fmt::format("cannot move the tree to {}: {}",
                                                       final_dir.string(), ec.message()));
    fs::remove_all(tmp, ec);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  marker.dir = final_dir.string();
  marker.patches = marker_patches(c.patches);
  marker.fetched_at = now_utc();
  write_marker(marker);
  return TreeLocation{marker.dir, marker.route, marker.origin, marker.sha256, false};
}

// Installs with install_tree; when the archive itself is rejected (damaged, not a kernel tree,
// the wrong release, an entry no tree holds), deletes it, so that the next run downloads it
// again instead of failing on the same bytes forever. An interrupted or disk-full extraction,
// a missing tool or a patch that does not apply keeps it: the bytes were not the problem.
TreeLocation install_or_discard(Ctx& c, const TreeMarker& marker, const std::string& archive,
                                const std::function<ExtractResult(const std::string&)>& extract) {
  try {
    return install_tree(c, marker, extract);
  } catch (const SourceError& e) {
    if (e.kind() == ErrorKind::kOther || e.kind() == ErrorKind::kVersion) {
      std::error_code ec;
      fs::remove(archive, ec);
    }
    throw;
  }
}

DownloadOptions download_options(const FetchOptions& o) {
  DownloadOptions d;
  d.log = o.log;
  d.tty = o.tty;
  d.cancel = o.cancel;
  d.free_space = o.free_space;
  return d;
}

TreeLocation fetch_tarball(Ctx& c) {
  const auto& b = c.branch;
  if (b.tarball.url.empty())
    throw SourceError(ErrorKind::kOther,
                      fmt::format("{}: branch {} has no tarball", pin_line(c.matrix, b), b.name));
  std::string name = b.tarball.url.substr(b.tarball.url.rfind('/') + 1);
  std::string dest = (fs::path(cache_root()) / "downloads" / name).string();
  const KernelOrgKeyring keyring = kernel_org_keyring(c.o.kernel_org_keyring, c.matrix.root);
  std::error_code ec;
  // A keyring the user named is never skipped, --trust-on-first-use or not.
  if (keyring.configured && !fs::is_regular_file(keyring.path, ec))
    throw SourceError(
        ErrorKind::kOther,
        fmt::format("the kernel.org keyring {} (from {}) does not exist: fix the "
                    "path, or drop it to use the repository's keys/kernel.org.gpg",
                    keyring.path,
                    c.o.kernel_org_keyring.empty() ? "$RK_KERNEL_ORG_KEYRING" : "--keyring"));
  c.say("downloading {}", b.tarball.url);
  DownloadOptions dopts = download_options(c.o);
  DownloadResult dl = download_file(b.tarball.url, dest, dopts);
  std::string actual = sha256_file(dest);
  if (!b.tarball.sha256.empty()) {
    // The pin was recorded from a verified download (or set by hand): it is the verification.
    if (actual != b.tarball.sha256) {
      fs::remove(dest, ec);
      throw SourceError(
          ErrorKind::kChecksum,
          fmt::format("checksum mismatch for {}:\n  expected {} (pinned at {})\n  actual   {}\n"
                      "The download was deleted and nothing was extracted.",
                      b.tarball.url, b.tarball.sha256, pin_line(c.matrix, b), actual));
    }
    c.say("sha256 {} matches the pin", actual);
  } else {
    SumsCheck sums = check_kernel_org_sums(b.tarball.url, actual, keyring.path, dopts);
    if (sums.status == SumsCheck::Status::kMismatch) {
      fs::remove(dest, ec);
      throw SourceError(
          ErrorKind::kChecksum,
          fmt::format("checksum mismatch for {}:\n  expected {} (listed in {}{})\n"
                      "  actual   {}\nThe download was deleted and nothing was "
                      "extracted.",
                      b.tarball.url, sums.listed, sums.sums_url,
                      sums.signature_verified ? ", signature verified" : ", signature NOT verified",
                      actual));
    }
    if (sums.signature_verified && sums.status == SumsCheck::Status::kMatched) {
      c.note(fmt::format("sha256 {} matches {}; {}", actual, sums.sums_url, sums.note));
    } else if (!c.o.trust_on_first_use) {
      throw SourceError(
          sums.problem_kind,
          fmt::format("cannot verify {} (sha256 {}): {}.\nFix: {}; or, to record the sha256 of "
                      "this download unverified, pass --trust-on-first-use.\nNothing was "
                      "extracted and no pin was recorded.",
                      b.tarball.url, actual, sums.problem, sums.fix));
    } else {
      c.note(fmt::format(
          "WARNING: TRUSTED ON FIRST USE: the sha256 {} of {} is recorded as the pin WITHOUT "
          "verification ({}){}; check it against kernel.org before relying on it",
          actual, name, sums.problem,
          sums.status == SumsCheck::Status::kMatched
              ? fmt::format("; it matches the unverified listing in {}", sums.sums_url)
              : ""));
    }
  }
  TreeMarker m;
  m.branch = b.name;
  m.version = b.version;
  m.route = "tarball";
  m.origin = b.tarball.url;
  m.sha256 = actual;
  (void)dl;
  TreeLocation tree = install_or_discard(c, m, dest, [&](const std::string& tmp) {
    return extract_archive(dest, tmp, extract_options(c.o));
  });
  // Recorded only for a tree that was extracted and checked: a rejected archive leaves no pin
  // behind that the next run would trust.
  if (b.tarball.sha256.empty()) record_pins(c, {{b.name, "tarball", "sha256", actual}});
  return tree;
}

// The tarball URL of `version` in place of the branch's release ("" when the URL does not name
// the release, e.g. a mirror's own layout: the user then sets it by hand).
std::string tarball_url_for(const variants::BranchSpec& b, const std::string& version) {
  const std::string old_name = "linux-" + b.version + ".tar";
  size_t at = b.tarball.url.rfind(old_name);
  if (at == std::string::npos) return "";
  return b.tarball.url.substr(0, at) + "linux-" + version + ".tar" +
         b.tarball.url.substr(at + old_name.size());
}

// --update-pins: the newest version any suite of the release offers becomes the pin. When it
// is another upstream release (Debian moved from 6.1.192 to 6.1.193), the branch moves with
// it: its version, and its tarball URL with the tarball's sha256 cleared (to be recorded from
// a verified download of the new release).
std::vector<PinEdit> move_debian_pin(Ctx& c, const AptIndex& index, const std::string& apt_dir) {
  auto& b = c.branch;
  auto& d = b.debian;
  if (index.offers.empty())
    throw SourceError(
        ErrorKind::kVersion,
        fmt::format("{} is in none of the suites {} of {} (read from {})", d.package,
                    fmt::join(index.suites_read, ", "), release_of_suite(d.suite), apt_dir));
  const AptOffer newest = index.offers.front();
  std::vector<PinEdit> edits;
  const std::string upstream = upstream_of_debian_version(newest.version);
  if (upstream != b.version) {
    std::string url = b.tarball.url.empty() ? "" : tarball_url_for(b, upstream);
    c.note(fmt::format("{} moved to {}: branch {} moves from Linux {} to {}", d.package,
                       newest.version, b.name, b.version, upstream));
    edits.push_back({b.name, "", "version", upstream});
    if (!url.empty()) {
      edits.push_back({b.name, "tarball", "url", url});
      edits.push_back({b.name, "tarball", "sha256", ""});
      b.tarball.url = url;
      b.tarball.sha256.clear();
    }
    b.version = upstream;
  }
  if (newest.version != d.version) {
    c.say("{} moved from {} to {} ({})", d.package, d.version, newest.version, newest.suite);
    edits.push_back({b.name, "debian", "version", newest.version});
  }
  if (newest.suite != d.suite) edits.push_back({b.name, "debian", "suite", newest.suite});
  d.version = newest.version;
  d.suite = newest.suite;
  d.sha256.clear();
  return edits;
}

TreeLocation fetch_debian(Ctx& c) {
  auto& b = c.branch;
  auto& d = b.debian;
  if (d.package.empty())
    throw SourceError(ErrorKind::kOther, fmt::format("{}: branch {} has no debian package",
                                                     pin_line(c.matrix, b), b.name));
  const std::string debs = (fs::path(cache_root()) / "debs").string();
  // One private apt configuration per release, listing all of its suites.
  const std::string apt = (fs::path(cache_root()) / "apt" / release_of_suite(d.suite)).string();
  const std::vector<std::string> suites = release_suites(d.suite);
  std::error_code ec;
  fs::create_directories(debs, ec);
  std::vector<PinEdit> edits;
  if (c.o.update_pins)
    edits = move_debian_pin(c, apt_lookup(apt, d.package, suites, c.o.debian, true), apt);
  std::string deb;
  std::string found_in;
  if (!d.sha256.empty()) deb = find_cached_deb(debs, d.package, d.version, d.sha256);
  if (!deb.empty()) {
    c.say("using the cached {} (sha256 matches the pin)", fs::path(deb).filename().string());
  } else {
    c.say("downloading {}={} with apt-get (looking in {})", d.package, d.version,
          fmt::join(suites, ", "));
    try {
      AptDownload dl = apt_download(apt, debs, d.package, d.version, suites, c.o.debian);
      deb = dl.path;
      found_in = dl.suite;
      if (dl.suite != d.suite)
        c.note(fmt::format("{} {} was found in {}, not in {} where {} says to look first",
                           d.package, d.version, dl.suite, d.suite, pin_line(c.matrix, b)));
    } catch (const SourceError& e) {
      if (e.kind() != ErrorKind::kVersion) throw;
      throw SourceError(
          ErrorKind::kVersion,
          fmt::format("{}\nThe pinned version is gone from the mirror. To pin the newest one (its "
                      "version, sha256 and suite in {}; the branch's release too if Debian "
                      "moved to a newer one), run `runner-kernel fetch --from debian "
                      "--update-pins {}`.",
                      e.what(), pin_line(c.matrix, b), b.name));
    }
  }
  std::string actual = sha256_file(deb);
  try {
    check_deb(deb, d.package, d.version, d.sha256, pin_line(c.matrix, b), b.name);
  } catch (const SourceError& e) {
    // A .deb that is not the pinned one is not kept (the next run asks apt again).
    if (e.kind() == ErrorKind::kChecksum) fs::remove(deb, ec);
    throw;
  }
  if (d.sha256.empty()) {
    edits.push_back({b.name, "debian", "sha256", actual});
    c.note(fmt::format("{} {}: sha256 {} (apt verified it against the suite's signed Release)",
                       d.package, d.version, actual));
  } else {
    c.say("sha256 {} matches the pin", actual);
  }
  c.note(fmt::format("the Debian tree is Linux {} with Debian's patches applied ({} {})", b.version,
                     d.package, d.version));
  TreeMarker m;
  m.branch = b.name;
  m.version = b.version;
  m.route = "debian";
  m.origin = d.package + "_" + d.version;
  m.sha256 = actual;
  m.debian_version = d.version;
  m.debian_suite = found_in;
  m.note = fmt::format("Linux {} with Debian's patches ({} {})", b.version, d.package, d.version);
  std::string inner = "usr/src/" + d.package + ".tar.xz";
  TreeLocation tree = install_or_discard(c, m, deb, [&](const std::string& tmp) {
    return extract_deb_tarball(deb, inner, tmp, extract_options(c.o));
  });
  // Pins are written only for a tree that was installed and checked.
  if (!edits.empty()) record_pins(c, edits);
  return tree;
}

TreeLocation fetch_local(Ctx& c, const std::string& from) {
  const auto& b = c.branch;
  std::error_code ec;
  fs::path dir = fs::canonical(from, ec);
  if (ec || !fs::is_directory(dir, ec))
    throw SourceError(ErrorKind::kOther, fmt::format("{}: not a directory", from));
  auto v = kernel_tree_version(dir.string());
  if (!v)
    throw SourceError(ErrorKind::kVersion,
                      fmt::format("{} is not a kernel tree (no Makefile with VERSION, "
                                  "PATCHLEVEL, SUBLEVEL)",
                                  dir.string()));
  if (*v != b.version)
    throw SourceError(ErrorKind::kVersion,
                      fmt::format("{} is Linux {}, branch {} pins {} ({})", dir.string(), *v,
                                  b.name, b.version, pin_line(c.matrix, b)));
  TreeMarker m;
  m.branch = b.name;
  m.version = b.version;
  m.route = "local";
  m.origin = dir.string();
  m.dir = dir.string();
  if (fs::exists(dir / ".git", ec) && tool_available("git")) {
    Tool git{"git", "git"};
    ToolResult head = run_tool(git, {"git", "-C", dir.string(), "rev-parse", "HEAD"});
    if (head.exit_code == 0) {
      m.git_head = head.output.substr(0, head.output.find('\n'));
      ToolResult st = run_tool(
          git, {"git", "-C", dir.string(), "status", "--porcelain", "--untracked-files=no"});
      m.git_dirty = st.exit_code != 0 || !st.output.empty();
      m.origin += fmt::format(" (git {}{})", m.git_head, m.git_dirty ? ", modified" : "");
    }
  }
  if (!c.patches.empty()) {
    std::string why;
    if (!patch_series_applied(dir.string(), c.patches, why))
      throw SourceError(ErrorKind::kPatch,
                        fmt::format("{}; a local tree is used read-only, so apply the branch's "
                                    "patches to it yourself, or fetch --from tarball",
                                    why));
    c.say("the branch's {} patch(es) are already applied in {}", c.patches.size(), dir.string());
  }
  m.patches = marker_patches(c.patches);
  m.fetched_at = now_utc();
  write_marker(m);
  c.note(fmt::format("using {} in place (read-only: build out of tree)", dir.string()));
  return TreeLocation{m.dir, m.route, m.origin, "", true};
}

}  // namespace

KernelOrgKeyring kernel_org_keyring(const std::string& configured, const std::string& matrix_root) {
  if (!configured.empty()) return {configured, true};
  if (const char* e = std::getenv("RK_KERNEL_ORG_KEYRING"); e && *e) return {e, true};
  return {(fs::path(matrix_root) / "keys" / "kernel.org.gpg").string(), false};
}

const variants::BranchSpec* branch_for_tree(const variants::Matrix& matrix,
                                            const std::string& dir) {
  auto v = kernel_tree_version(dir);
  if (!v) return nullptr;
  for (const auto& b : matrix.branches)
    if (b.version == *v) return &b;
  return nullptr;
}

FetchReport fetch_branch(const variants::Matrix& matrix, const variants::BranchSpec& branch,
                         const FetchOptions& o) {
  // One fetch of a branch at a time, across processes: the temporary directories and partial
  // downloads found under the lock are left by a fetch that died, never by one still running.
  std::optional<base::FileLock> lock;
  try {
    lock.emplace((fs::path(cache_root()) / "locks" / (branch.version + ".lock")).string(),
                 "fetch " + branch.name, o.log, o.cancel);
  } catch (const base::FileError& e) {
    throw SourceError(e.error_number() == EINTR ? ErrorKind::kInterrupted : ErrorKind::kOther,
                      e.what());
  }
  Ctx c{matrix, branch, o, load_patch_series(matrix.root, branch.patches), {}};
  bool local = !o.from.empty() && o.from != "tarball" && o.from != "debian";
  if (!o.force && !o.update_pins) {
    std::optional<TreeLocation> present;
    if (o.from.empty())
      present = find_tree(matrix, branch);
    else if (!local)
      present = find_tree_route(matrix, branch, o.from);
    if (present) {
      c.report.tree = *present;
      c.report.already_present = true;
      c.say("present: {} tree at {}", present->route, present->dir);
      return c.report;
    }
  }
  if (local) {
    c.report.tree = fetch_local(c, o.from);
    return c.report;
  }
  std::vector<std::string> routes;
  if (o.from == "tarball" || (o.from.empty() && !o.update_pins && !branch.tarball.url.empty()))
    routes.push_back("tarball");
  if (o.from == "debian" || (o.from.empty() && !branch.debian.package.empty()))
    routes.push_back("debian");
  for (size_t i = 0; i < routes.size(); ++i) {
    try {
      c.report.tree = routes[i] == "tarball" ? fetch_tarball(c) : fetch_debian(c);
      return c.report;
    } catch (const SourceError& e) {
      if (e.kind() != ErrorKind::kNetwork || i + 1 == routes.size()) throw;
      c.note(
          fmt::format("the kernel.org tarball cannot be downloaded ({}); using Debian's {} "
                      "instead, whose tree carries Debian's patches on top of Linux {}",
                      e.what(), branch.debian.package, branch.version));
    }
  }
  throw SourceError(ErrorKind::kOther, fmt::format("{}:{}: branch {} has no source to fetch",
                                                   matrix.path, branch.line, branch.name));
}

}  // namespace rk::source
