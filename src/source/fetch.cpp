#include "source/fetch.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>

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
  const variants::BranchSpec& branch;
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
      fs::remove_all(e.path(), ec);  // left by an interrupted run
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
  c.say("downloading {}", b.tarball.url);
  DownloadOptions dopts = download_options(c.o);
  DownloadResult dl = download_file(b.tarball.url, dest, dopts);
  std::string actual = sha256_file(dest);
  std::error_code ec;
  if (!b.tarball.sha256.empty()) {
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
    SumsCheck sums = check_kernel_org_sums(b.tarball.url, actual,
                                           kernel_org_keyring(c.o.kernel_org_keyring), dopts);
    switch (sums.status) {
      case SumsCheck::Status::kMismatch:
        fs::remove(dest, ec);
        throw SourceError(ErrorKind::kChecksum,
                          fmt::format("checksum mismatch for {}:\n  expected {} (listed in {})\n"
                                      "  actual   {}\nThe download was deleted and nothing was "
                                      "extracted.",
                                      b.tarball.url, sums.listed, sums.sums_url, actual));
      case SumsCheck::Status::kMatched:
        c.note(fmt::format("sha256 {} matches {}; {}", actual, sums.sums_url, sums.note));
        break;
      case SumsCheck::Status::kNotListed:
        c.note(
            fmt::format("{} does not list {} ({}); the sha256 is recorded from this download "
                        "alone",
                        sums.sums_url, name, sums.note));
        break;
      case SumsCheck::Status::kUnavailable:
        c.note(
            fmt::format("could not check against kernel.org's checksums ({}); the sha256 is "
                        "recorded from this download alone",
                        sums.note));
        break;
    }
    record_pins(c, {{b.name, "tarball", "sha256", actual}});
  }
  TreeMarker m;
  m.branch = b.name;
  m.version = b.version;
  m.route = "tarball";
  m.origin = b.tarball.url;
  m.sha256 = actual;
  (void)dl;
  return install_tree(c, m, [&](const std::string& tmp) {
    return extract_archive(dest, tmp, extract_options(c.o));
  });
}

TreeLocation fetch_debian(Ctx& c) {
  const auto& b = c.branch;
  const auto& d = b.debian;
  if (d.package.empty())
    throw SourceError(ErrorKind::kOther, fmt::format("{}: branch {} has no debian package",
                                                     pin_line(c.matrix, b), b.name));
  const std::string debs = (fs::path(cache_root()) / "debs").string();
  const std::string apt = (fs::path(cache_root()) / "apt" / d.suite).string();
  std::error_code ec;
  fs::create_directories(debs, ec);
  std::string version = d.version;
  std::string pin = d.sha256;
  std::string deb;
  if (c.o.update_pins) {
    auto versions = apt_available_versions(apt, d.package, d.suite, c.o.debian, true);
    if (versions.empty())
      throw SourceError(ErrorKind::kVersion,
                        fmt::format("{} is not available from {}", d.package, d.suite));
    std::string newest = versions.front();
    if (upstream_of_debian_version(newest) != b.version)
      throw SourceError(ErrorKind::kVersion,
                        fmt::format("{} on {} is now {} (Linux {}), but branch {} pins Linux {}: "
                                    "update the branch's version (and tarball) in {} first",
                                    d.package, d.suite, newest, upstream_of_debian_version(newest),
                                    b.name, b.version, pin_line(c.matrix, b)));
    if (newest != version) {
      c.say("{} moved from {} to {} on {}", d.package, version, newest, d.suite);
      version = newest;
      pin.clear();
    }
  }
  if (!pin.empty()) deb = find_cached_deb(debs, d.package, version, pin);
  if (!deb.empty()) {
    c.say("using the cached {} (sha256 matches the pin)", fs::path(deb).filename().string());
  } else {
    c.say("downloading {}={} with apt-get from {}", d.package, version, d.suite);
    try {
      deb = apt_download(apt, debs, d.package, version, d.suite, c.o.debian).path;
    } catch (const SourceError& e) {
      if (e.kind() != ErrorKind::kVersion) throw;
      throw SourceError(ErrorKind::kVersion,
                        fmt::format("{}\nIf Debian moved on to a newer revision of Linux {}, run "
                                    "`runner-kernel fetch --from debian --update-pins {}` to pin "
                                    "it (version and sha256 in {}).",
                                    e.what(), b.version, b.name, pin_line(c.matrix, b)));
    }
  }
  std::string actual = sha256_file(deb);
  try {
    check_deb(deb, d.package, version, pin, pin_line(c.matrix, b), b.name);
  } catch (const SourceError& e) {
    // A .deb that is not the pinned one is not kept (the next run asks apt again).
    if (e.kind() == ErrorKind::kChecksum) fs::remove(deb, ec);
    throw;
  }
  if (pin.empty()) {
    std::vector<PinEdit> edits;
    if (version != d.version) edits.push_back({b.name, "debian", "version", version});
    edits.push_back({b.name, "debian", "sha256", actual});
    c.note(fmt::format("{} {}: sha256 {} (apt verified it against the suite's signed Release)",
                       d.package, version, actual));
    record_pins(c, edits);
  } else {
    c.say("sha256 {} matches the pin", actual);
  }
  c.note(fmt::format("the Debian tree is Linux {} with Debian's patches applied ({} {})", b.version,
                     d.package, version));
  TreeMarker m;
  m.branch = b.name;
  m.version = b.version;
  m.route = "debian";
  m.origin = d.package + "_" + version;
  m.sha256 = actual;
  m.debian_version = version;
  m.note = fmt::format("Linux {} with Debian's patches ({} {})", b.version, d.package, version);
  std::string inner = "usr/src/" + d.package + ".tar.xz";
  return install_tree(c, m, [&](const std::string& tmp) {
    return extract_deb_tarball(deb, inner, tmp, extract_options(c.o));
  });
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

std::string kernel_org_keyring(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* e = std::getenv("RK_KERNEL_ORG_KEYRING"); e && *e) return e;
  fs::path p = fs::path(cache_root()) / "keyrings" / "kernel.org.gpg";
  std::error_code ec;
  return fs::is_regular_file(p, ec) ? p.string() : "";
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
