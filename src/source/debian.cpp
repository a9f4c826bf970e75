#include "source/debian.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
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

// A release's suites besides itself, in lookup order.
const char* const kSuiteSuffixes[] = {"-security", "-updates", "-backports", "-proposed-updates"};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The stamp that says the lists were updated for exactly this sources list.
fs::path update_stamp(const std::string& apt_dir) {
  return fs::path(apt_dir) / "updated-for";
}

// The part of an apt list file's name that says which suite it belongs to:
// "deb.debian.org_debian_dists_bookworm-security_InRelease" -> lists of bookworm-security.
bool suite_has_lists(const fs::path& lists, const std::string& suite) {
  std::error_code ec;
  const std::string in_release = "_dists_" + suite + "_InRelease";
  const std::string release = "_dists_" + suite + "_Release";
  for (const auto& e : fs::directory_iterator(lists, ec)) {
    std::string n = e.path().filename().string();
    if (ends_with(n, in_release) || ends_with(n, release)) return true;
  }
  return false;
}

// apt-get update's "Err:N URI SUITE WHAT" lines and the reason on the line after each.
std::vector<std::pair<std::string, std::string>> update_errors(const std::string& output) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(output);
  std::string line, pending;
  while (std::getline(in, line)) {
    if (!pending.empty()) {
      std::string reason = line;
      reason.erase(0, reason.find_first_not_of(' '));
      out.emplace_back(pending, reason);
      pending.clear();
      continue;
    }
    if (line.rfind("Err:", 0) != 0) continue;
    std::istringstream words(line);
    std::string tag, uri, suite;
    words >> tag >> uri >> suite;
    if (!suite.empty()) pending = suite;
  }
  return out;
}

// The mirror has no such suite: HTTP's 404, or the file method's missing file. Anything else
// (no route, refused, timed out) means the suite could not be asked.
bool is_absent_reason(const std::string& reason) {
  return reason.find("404") != std::string::npos ||
         reason.find("does not have a Release file") != std::string::npos ||
         reason.find("File not found") != std::string::npos;
}

std::vector<std::string> apt_args(const char* program, const std::vector<std::string>& opts,
                                  std::initializer_list<std::string> rest) {
  std::vector<std::string> args{program};
  args.insert(args.end(), opts.begin(), opts.end());
  args.insert(args.end(), rest);
  return args;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::string release_of_suite(const std::string& suite) {
  // Longest first: "-proposed-updates" also ends in "-updates".
  for (const char* suffix : {"-proposed-updates", "-security", "-updates", "-backports"})
    if (ends_with(suite, suffix)) return suite.substr(0, suite.size() - std::strlen(suffix));
  return suite;
}

std::vector<std::string> release_suites(const std::string& suite) {
  const std::string release = release_of_suite(suite);
  std::vector<std::string> out{suite};
  auto add = [&](const std::string& s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  add(release);
  // The development releases have no security, updates or backports suites.
  if (release == "sid" || release == "unstable" || release == "experimental") return out;
  for (const char* suffix : kSuiteSuffixes) add(release + suffix);
  return out;
}

std::string apt_source_line(const std::string& suite, const DebianOptions& o) {
  return fmt::format("deb [signed-by={}] {} {} {}\n", o.keyring,
                     ends_with(suite, "-security") ? o.security_mirror : o.mirror, suite,
                     o.component);
}

std::vector<std::string> private_apt_options(const std::string& apt_dir,
                                             const std::vector<std::string>& suites,
                                             const DebianOptions& o) {
  fs::path d(apt_dir);
  std::error_code ec;
  for (const char* sub : {"lists/partial", "cache/archives/partial", "preferences.d"})
    fs::create_directories(d / sub, ec);
  std::string lines;
  for (const auto& suite : suites) lines += apt_source_line(suite, o);
  fs::path sources = d / "sources.list";
  if (!fs::exists(sources, ec) || read_file(sources.string()) != lines) {
    fs::remove(update_stamp(apt_dir), ec);  // the lists no longer answer for these suites
    write_file_atomically(sources.string(), lines);
  }
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

std::vector<std::string> AptIndex::suites_of(const std::string& version,
                                             const std::vector<std::string>& suites) const {
  std::vector<std::string> out;
  for (const auto& s : suites)
    for (const auto& offer : offers)
      if (offer.version == version && offer.suite == s &&
          std::find(out.begin(), out.end(), s) == out.end())
        out.push_back(s);
  return out;
}

std::string AptIndex::describe_versions() const {
  std::vector<std::string> seen, parts;
  for (const auto& offer : offers) {
    if (std::find(seen.begin(), seen.end(), offer.version) != seen.end()) continue;
    seen.push_back(offer.version);
    std::vector<std::string> in;
    for (const auto& o : offers)
      if (o.version == offer.version) in.push_back(o.suite);
    parts.push_back(fmt::format("{} ({})", offer.version, join(in)));
  }
  return parts.empty() ? "none" : join(parts);
}

AptIndex apt_lookup(const std::string& apt_dir, const std::string& package,
                    const std::vector<std::string>& suites, const DebianOptions& o, bool refresh) {
  std::vector<std::string> opts = private_apt_options(apt_dir, suites, o);
  const fs::path lists = fs::path(apt_dir) / "lists";
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> errors;
  if (refresh || !fs::exists(update_stamp(apt_dir), ec)) {
    ToolResult r = run_tool(kAptGet, apt_args("apt-get", opts, {"-q", "update"}));
    errors = update_errors(r.output);
    // Exit 100 also when one suite is missing; which suites were read is decided below.
    write_file_atomically(update_stamp(apt_dir).string(),
                          read_file((fs::path(apt_dir) / "sources.list").string()));
  }
  AptIndex index;
  for (const auto& suite : suites) {
    auto err =
        std::find_if(errors.begin(), errors.end(), [&](const auto& e) { return e.first == suite; });
    if (suite_has_lists(lists, suite) && err == errors.end()) {
      index.suites_read.push_back(suite);
    } else if (suite_has_lists(lists, suite)) {
      // apt kept the lists of the last update: usable, but they may be old.
      index.suites_read.push_back(suite);
      if (!is_absent_reason(err->second)) index.suites_unreachable.emplace_back(suite, err->second);
    } else if (err != errors.end() && !is_absent_reason(err->second)) {
      index.suites_unreachable.emplace_back(suite, err->second);
    } else {
      index.suites_absent.emplace_back(suite, err != errors.end() ? err->second : "no lists");
    }
  }
  if (index.suites_read.empty()) {
    std::string why;
    for (const auto& [suite, reason] : index.suites_unreachable)
      why += fmt::format("\n  {}: {}", suite, reason);
    for (const auto& [suite, reason] : index.suites_absent)
      why += fmt::format("\n  {}: {}", suite, reason);
    throw SourceError(ErrorKind::kNetwork,
                      fmt::format("apt could read none of the suites {} from {}:{}", join(suites),
                                  o.mirror, why));
  }
  ToolResult r = run_tool(kAptCache, apt_args("apt-cache", opts, {"madison", package}));
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    // "linux-source-6.1 | 6.1.192-2 | http://deb.debian.org/debian-security
    //  bookworm-security/main amd64 Packages"
    size_t a = line.find('|');
    if (a == std::string::npos) continue;
    size_t b = line.find('|', a + 1);
    if (b == std::string::npos) continue;
    std::string v = line.substr(a + 1, b - a - 1);
    v.erase(0, v.find_first_not_of(' '));
    v.erase(v.find_last_not_of(' ') + 1);
    std::istringstream where(line.substr(b + 1));
    std::string uri, suite_component, kind;
    where >> uri >> suite_component;
    while (where >> kind) {
    }
    if (kind != "Packages" || v.empty()) continue;  // Sources lines
    std::string suite = suite_component.substr(0, suite_component.find('/'));
    AptOffer offer{v, suite};
    if (std::find(index.offers.begin(), index.offers.end(), offer) == index.offers.end())
      index.offers.push_back(offer);
  }
  return index;
}

AptDownload apt_download(const std::string& apt_dir, const std::string& debs_dir,
                         const std::string& package, const std::string& version,
                         const std::vector<std::string>& suites, const DebianOptions& o,
                         AptIndex* index_out) {
  fs::path partial = fs::path(debs_dir) / ".partial";
  std::error_code ec;
  fs::create_directories(partial, ec);
  const std::string name = deb_file_name(package, version);
  std::string last_output;
  for (bool refresh : {false, true}) {
    AptIndex index = apt_lookup(apt_dir, package, suites, o, refresh);
    if (index_out) *index_out = index;
    std::vector<std::string> in = index.suites_of(version, suites);
    if (in.empty()) {
      if (!refresh) continue;  // the lists may be older than the mirror
      std::string unreachable;
      for (const auto& [suite, reason] : index.suites_unreachable)
        unreachable += fmt::format("\n  {} could not be read: {}", suite, reason);
      throw SourceError(
          unreachable.empty() ? ErrorKind::kVersion : ErrorKind::kNetwork,
          fmt::format("{} {} is in none of the suites {} (available: {}){}", package, version,
                      join(index.suites_read), index.describe_versions(), unreachable));
    }
    fs::remove(partial / name, ec);
    ToolResult r = run_tool(kAptGet,
                            apt_args("apt-get", private_apt_options(apt_dir, suites, o),
                                     {"-q", "download", package + "=" + version}),
                            partial.string());
    if (r.exit_code == 0 && fs::is_regular_file(partial / name, ec)) {
      fs::rename(partial / name, fs::path(debs_dir) / name, ec);
      if (ec)
        throw SourceError(ErrorKind::kOther,
                          fmt::format("cannot move {} into {}: {}", name, debs_dir, ec.message()));
      return {(fs::path(debs_dir) / name).string(), in.front()};
    }
    last_output = r.output;  // lists that name a file the mirror deleted: refresh once
  }
  throw SourceError(ErrorKind::kNetwork, fmt::format("apt-get download {}={} failed:{}", package,
                                                     version, tail(last_output, 6)));
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
