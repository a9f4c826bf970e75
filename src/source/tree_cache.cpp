#include "source/tree_cache.hpp"

#include <fmt/format.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "source/patches.hpp"
#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

namespace {

std::string read_trimmed(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string cache_root() {
  if (const char* c = std::getenv("RK_CACHE"); c && *c) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return (fs::path(x) / "runner-kernel").string();
  std::string home;
  if (const char* h = std::getenv("HOME"); h && *h) {
    home = h;
  } else if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir && *pw->pw_dir) {
    home = pw->pw_dir;
  } else {
    // A shared fallback such as /tmp would let another user plant trees we then build.
    throw SourceError(ErrorKind::kOther,
                      "no cache directory: HOME is not set and the password database has no "
                      "home directory for this user; set RK_CACHE to a directory of your own");
  }
  return (fs::path(home) / ".cache" / "runner-kernel").string();
}

std::string marker_to_json(const TreeMarker& m) {
  nlohmann::ordered_json j;
  j["format"] = 1;
  j["branch"] = m.branch;
  j["version"] = m.version;
  j["route"] = m.route;
  j["origin"] = m.origin;
  j["sha256"] = m.sha256;
  if (!m.debian_version.empty()) j["debian_version"] = m.debian_version;
  if (!m.debian_suite.empty()) j["debian_suite"] = m.debian_suite;
  j["dir"] = m.dir;
  if (!m.git_head.empty()) {
    j["git_head"] = m.git_head;
    j["git_dirty"] = m.git_dirty;
  }
  j["patches"] = nlohmann::ordered_json::array();
  for (const auto& p : m.patches) j["patches"].push_back({{"path", p.path}, {"sha256", p.sha256}});
  if (!m.note.empty()) j["note"] = m.note;
  j["fetched_at"] = m.fetched_at;
  return j.dump(2) + "\n";
}

TreeMarker marker_from_json(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    TreeMarker m;
    auto str = [&](const char* k) { return j.contains(k) ? j[k].get<std::string>() : ""; };
    m.branch = str("branch");
    m.version = str("version");
    m.route = str("route");
    m.origin = str("origin");
    m.sha256 = str("sha256");
    m.debian_version = str("debian_version");
    m.debian_suite = str("debian_suite");
    m.dir = str("dir");
    m.git_head = str("git_head");
    m.git_dirty = j.value("git_dirty", false);
    m.note = str("note");
    m.fetched_at = str("fetched_at");
    for (const auto& p : j.at("patches"))
      m.patches.push_back({p.at("path").get<std::string>(), p.at("sha256").get<std::string>()});
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw SourceError(ErrorKind::kOther, fmt::format("unreadable tree marker: {}", e.what()));
  }
}

std::string sources_dir() {
  return (fs::path(cache_root()) / "sources").string();
}

std::string tree_key(const std::string& version, const std::string& route) {
  return version + "-" + route;
}

std::string marker_path(const std::string& version, const std::string& route) {
  return (fs::path(sources_dir()) / (tree_key(version, route) + ".json")).string();
}

std::optional<TreeMarker> read_marker(const std::string& version, const std::string& route) {
  std::error_code ec;
  std::string p = marker_path(version, route);
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  try {
    return marker_from_json(read_file(p));
  } catch (const SourceError&) {
    return std::nullopt;
  }
}

void write_marker(const TreeMarker& m) {
  write_file_atomically(marker_path(m.version, m.route), marker_to_json(m));
  write_file_atomically((fs::path(sources_dir()) / (m.version + ".route")).string(),
                        m.route + "\n");
}

void remove_tree(const std::string& version, const std::string& route) {
  std::error_code ec;
  fs::remove(marker_path(version, route), ec);
  if (route != "local") fs::remove_all(fs::path(sources_dir()) / tree_key(version, route), ec);
}

bool marker_matches(const TreeMarker& m, const variants::Matrix& matrix,
                    const variants::BranchSpec& branch, std::string* why) {
  auto no = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  std::error_code ec;
  if (m.version != branch.version)
    return no(fmt::format("the tree is {}, the branch pins {}", m.version, branch.version));
  if (m.route == "tarball") {
    if (!branch.tarball.sha256.empty() && m.sha256 != branch.tarball.sha256)
      return no("the tarball's sha256 differs from the pin");
  } else if (m.route == "debian") {
    if (m.debian_version != branch.debian.version)
      return no(fmt::format("the tree is Debian's {}, the branch pins {}", m.debian_version,
                            branch.debian.version));
    if (!branch.debian.sha256.empty() && m.sha256 != branch.debian.sha256)
      return no("the .deb's sha256 differs from the pin");
  } else if (m.route != "local") {
    return no("unknown route " + m.route);
  }
  if (!fs::is_directory(m.dir, ec)) return no(m.dir + " is gone");
  if (m.route == "local" && kernel_tree_version(m.dir) != branch.version)
    return no(fmt::format("{} is no longer Linux {}", m.dir, branch.version));
  std::vector<MarkerPatch> want;
  try {
    for (const auto& p : load_patch_series(matrix.root, branch.patches))
      want.push_back({p.path, p.sha256});
  } catch (const SourceError& e) {
    return no(e.what());
  }
  if (want != m.patches) return no("the patch series changed");
  return true;
}

std::optional<TreeLocation> find_tree_route(const variants::Matrix& matrix,
                                            const variants::BranchSpec& branch,
                                            const std::string& route) {
  if (auto m = read_marker(branch.version, route); m && marker_matches(*m, matrix, branch))
    return TreeLocation{m->dir, m->route, m->origin, m->sha256, m->route == "local"};
  return std::nullopt;
}

std::optional<TreeLocation> find_tree(const variants::Matrix& matrix,
                                      const variants::BranchSpec& branch) {
  std::vector<std::string> order;
  std::error_code ec;
  fs::path latest = fs::path(sources_dir()) / (branch.version + ".route");
  if (fs::is_regular_file(latest, ec)) order.push_back(read_trimmed(latest));
  for (const char* r : {"tarball", "debian", "local"}) order.emplace_back(r);
  for (const auto& route : order)
    if (auto t = find_tree_route(matrix, branch, route)) return t;
  return std::nullopt;
}

TreeLocation require_tree(const variants::Matrix& matrix, const variants::BranchSpec& branch) {
  if (auto t = find_tree(matrix, branch)) return *t;
  throw variants::VariantsError(
      variants::ErrorKind::kTree,
      fmt::format(
          "{}:{}: the kernel source of branch {} ({}) is not fetched yet: run `runner-kernel fetch "
          "{}`",
          matrix.path, branch.line, branch.name, branch.version, branch.name));
}

}  // namespace rk::source
