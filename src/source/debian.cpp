#include "source/debian.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "source/archive.hpp"
#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

namespace {

const Tool kAptGet{"apt-get", "apt"};
const Tool kAptCache{"apt-cache", "apt"};

std::string tail(const std::string& output, size_t lines) {
  std::vector<std::string> all;
  std::istringstream in(output);
  std::string l;
  while (std::getline(in, l))
    if (!l.empty()) all.push_back(l);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "\n  " + all[i];
  return out;
}

}  // namespace

std::string apt_source_line(const std::string& suite, const DebianOptions& o) {
  bool security = suite.size() > 9 && suite.compare(suite.size() - 9, 9, "-security") == 0;
  return fmt::format("deb [signed-by={}] {} {} {}\n", o.keyring,
                     security ? o.security_mirror : o.mirror, suite, o.component);
}

std::vector<std::string> private_apt_options(const std::string& apt_dir, const std::string& suite,
                                             const DebianOptions& o) {
  fs::path d(apt_dir);
  std::error_code ec;
  for (const char* sub : {"lists/partial", "cache/archives/partial", "preferences.d"})
    fs::create_directories(d / sub, ec);
  std::string line = apt_source_line(suite, o);
  fs::path sources = d / "sources.list";
  if (!fs::exists(sources, ec) || read_file(sources.string()) != line)
    write_file_atomically(sources.string(), line);
  if (!fs::exists(d / "status", ec)) write_file_atomically((d / "status").string(), "");
  std::vector<std::string> opts;
  auto o_ = [&](const std::string& kv) {
    opts.push_back("-o");
    opts.push_back(kv);
  };
  o_("Dir::Etc::sourcelist=" + sources.string());
  o_("Dir::Etc::sourceparts=-");
  o_("Dir::State::Lists=" + (d / "lists").string());
  o_("Dir::Cache=" + (d / "cache").string());
  o_("Dir::State::status=" + (d / "status").string());
  o_("Dir::Etc::preferences=" + (d / "preferences").string());
  o_("Dir::Etc::preferencesparts=" + (d / "preferences.d").string());
  o_("Acquire::Languages=none");
  // apt drops to the _apt user to download, which cannot write into root's cache.
  if (::geteuid() == 0) o_("APT::Sandbox::User=root");
  return opts;
}

std::string deb_file_name(const std::string& package, const std::string& version) {
  std::string v = version;
  for (size_t p; (p = v.find(':')) != std::string::npos;) v.replace(p, 1, "%3a");
  return package + "_" + v + "_all.deb";
}

std::string find_cached_deb(const std::string& debs_dir, const std::string& package,
                            const std::string& version, const std::string& sha256) {
  std::error_code ec;
  fs::path named = fs::path(debs_dir) / deb_file_name(package, version);
  if (fs::is_regular_file(named, ec) && !sha256.empty() && sha256_file(named.string()) == sha256)
    return named.string();
  if (sha256.empty()) return fs::is_regular_file(named, ec) ? named.string() : "";
  for (const auto& e : fs::directory_iterator(debs_dir, ec)) {
    std::string n = e.path().filename().string();
    if (e.path() == named || n.rfind(package + "_", 0) != 0 || e.path().extension() != ".deb")
      continue;
    if (sha256_file(e.path().string()) == sha256) return e.path().string();
  }
  return "";
}

std::vector<std::string> apt_available_versions(const std::string& apt_dir,
                                                const std::string& package,
                                                const std::string& suite, const DebianOptions& o,
                                                bool refresh) {
  std::vector<std::string> opts = private_apt_options(apt_dir, suite, o);
  std::error_code ec;
  bool have_lists = false;
  for (const auto& e : fs::directory_iterator(fs::path(apt_dir) / "lists", ec))
    if (e.path().filename().string().find("Packages") != std::string::npos) have_lists = true;
  if (refresh || !have_lists) {
    std::vector<std::string> args{"apt-get"};
    args.insert(args.end(), opts.begin(), opts.end());
    args.insert(args.end(), {"-q", "update"});
    ToolResult r = run_tool(kAptGet, args);
    bool failed = r.exit_code != 0 || r.output.find("\nW: Failed to fetch") != std::string::npos ||
                  r.output.find("\nE: ") != std::string::npos;
    if (failed)
      throw SourceError(ErrorKind::kNetwork,
                        fmt::format("apt-get update of {} ({}) failed:{}", suite,
                                    apt_source_line(suite, o).substr(0, 200), tail(r.output, 6)));
  }
  std::vector<std::string> args{"apt-cache"};
  args.insert(args.end(), opts.begin(), opts.end());
  args.insert(args.end(), {"madison", package});
  ToolResult r = run_tool(kAptCache, args);
  std::vector<std::string> versions;
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    // "linux-source-6.1 | 6.1.192-2 | http://... bookworm/main all Packages"
    size_t a = line.find('|');
    if (a == std::string::npos) continue;
    size_t b = line.find('|', a + 1);
    std::string v = line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    v.erase(0, v.find_first_not_of(' '));
    v.erase(v.find_last_not_of(' ') + 1);
    if (!v.empty() && std::find(versions.begin(), versions.end(), v) == versions.end())
      versions.push_back(v);
  }
  return versions;
}

AptDownload apt_download(const std::string& apt_dir, const std::string& debs_dir,
                         const std::string& package, const std::string& version,
                         const std::string& suite, const DebianOptions& o) {
  std::vector<std::string> versions = apt_available_versions(apt_dir, package, suite, o, false);
  if (std::find(versions.begin(), versions.end(), version) == versions.end())
    versions = apt_available_versions(apt_dir, package, suite, o, true);
  if (std::find(versions.begin(), versions.end(), version) == versions.end()) {
    std::string list;
    for (const auto& v : versions) list += (list.empty() ? "" : ", ") + v;
    throw SourceError(ErrorKind::kVersion,
                      fmt::format("{} {} is not available from {} (available: {})", package,
                                  version, suite, list.empty() ? "none" : list));
  }
  fs::path partial = fs::path(debs_dir) / ".partial";
  std::error_code ec;
  fs::create_directories(partial, ec);
  std::vector<std::string> args{"apt-get"};
  std::vector<std::string> opts = private_apt_options(apt_dir, suite, o);
  args.insert(args.end(), opts.begin(), opts.end());
  args.insert(args.end(), {"-q", "download", package + "=" + version});
  ToolResult r = run_tool(kAptGet, args, partial.string());
  std::string name = deb_file_name(package, version);
  if (r.exit_code != 0 || !fs::is_regular_file(partial / name, ec))
    throw SourceError(ErrorKind::kNetwork, fmt::format("apt-get download {}={} failed:{}", package,
                                                       version, tail(r.output, 6)));
  fs::rename(partial / name, fs::path(debs_dir) / name, ec);
  if (ec)
    throw SourceError(ErrorKind::kOther,
                      fmt::format("cannot move {} into {}: {}", name, debs_dir, ec.message()));
  return {(fs::path(debs_dir) / name).string(), version};
}

DebInfo check_deb(const std::string& deb, const std::string& package, const std::string& version,
                  const std::string& pin, const std::string& pin_where, const std::string& branch) {
  std::string actual = sha256_file(deb);
  DebInfo info = read_deb_info(deb);
  if (!pin.empty() && actual != pin)
    throw SourceError(ErrorKind::kChecksum,
                      fmt::format("checksum mismatch for {} {}:\n  expected {} (pinned at {})\n"
                                  "  actual   {} (Debian version {})\nNothing was extracted. If "
                                  "the mirror rebuilt or replaced the package, run `runner-kernel "
                                  "fetch --from debian --update-pins {}` to pin what it serves "
                                  "now.",
                                  package, version, pin, pin_where, actual, info.version, branch));
  if (info.package != package)
    throw SourceError(ErrorKind::kVersion,
                      fmt::format("{} is package {}, not {}", deb, info.package, package));
  if (info.version != version)
    throw SourceError(ErrorKind::kVersion,
                      fmt::format("{} holds {} {}, the branch pins {} (run `runner-kernel fetch "
                                  "--from debian --update-pins {}` to take it)",
                                  deb, info.package, info.version, version, branch));
  return info;
}

std::string upstream_of_debian_version(const std::string& v) {
  std::string s = v;
  if (size_t colon = s.find(':'); colon != std::string::npos) s.erase(0, colon + 1);
  if (size_t dash = s.rfind('-'); dash != std::string::npos) s.erase(dash);
  return s;
}

}  // namespace rk::source
