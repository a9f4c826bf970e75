#include "source/kernel_org.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

std::string sums_url_for(const std::string& tarball_url) {
  size_t slash = tarball_url.rfind('/');
  return (slash == std::string::npos ? std::string() : tarball_url.substr(0, slash + 1)) +
         "sha256sums.asc";
}

std::string listed_sha256(const std::string& sums_text, const std::string& filename) {
  std::istringstream in(sums_text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string sum, name;
    if (!(fields >> sum >> name)) continue;
    if (!name.empty() && name[0] == '*') name.erase(0, 1);
    if (name == filename && sum.size() == 64) return sum;
  }
  return "";
}

std::string verify_clearsigned(const std::string& sums_text, const std::string& keyring,
                               bool& checked, std::string& note) {
  checked = false;
  std::error_code ec;
  if (keyring.empty() || !fs::is_regular_file(keyring, ec)) {
    note = keyring.empty()
               ? "its signature was NOT checked: no kernel.org keyring is configured "
                 "(--keyring FILE or $RK_KERNEL_ORG_KEYRING)"
               : fmt::format("its signature was NOT checked: keyring {} does not exist", keyring);
    return sums_text;
  }
  if (!tool_available("gpgv")) {
    note = "its signature was NOT checked: gpgv is not installed (Debian package gpgv)";
    return sums_text;
  }
  std::string dir = make_temp_dir(fs::temp_directory_path().string(), "rk-sums-");
  std::string in = dir + "/sha256sums.asc", out = dir + "/signed.txt";
  write_file_atomically(in, sums_text);
  ToolResult r = run_tool(
      {"gpgv", "gpgv"}, {"gpgv", "--keyring", fs::absolute(keyring).string(), "--output", out, in});
  std::string signed_text;
  if (r.exit_code == 0) signed_text = read_file(out);
  fs::remove_all(dir, ec);
  if (r.exit_code != 0)
    throw SourceError(ErrorKind::kChecksum,
                      fmt::format("the signature of sha256sums.asc does NOT verify with {}:\n{}",
                                  keyring, r.output));
  checked = true;
  note = fmt::format("its signature was verified with gpgv ({})", keyring);
  return signed_text;
}

SumsCheck check_kernel_org_sums(const std::string& tarball_url, const std::string& actual,
                                const std::string& keyring, const DownloadOptions& options) {
  SumsCheck c;
  c.sums_url = sums_url_for(tarball_url);
  std::string text;
  try {
    DownloadOptions quiet = options;
    quiet.log = nullptr;
    text = fetch_text(c.sums_url, quiet);
  } catch (const SourceError& e) {
    c.status = SumsCheck::Status::kUnavailable;
    c.note = e.what();
    c.problem_kind = ErrorKind::kChecksum;
    c.problem = fmt::format("kernel.org's signed checksums cannot be downloaded ({})", e.what());
    c.fix =
        "check the network and the tarball URL in variants.toml, or pin tarball.sha256 by "
        "hand after checking the tarball's own signature (linux-X.Y.Z.tar.sign)";
    return c;
  }
  std::string body = text;
  std::error_code ec;
  if (keyring.empty() || !fs::is_regular_file(keyring, ec)) {
    c.note = keyring.empty() ? "its signature was NOT checked: no kernel.org keyring is configured"
                             : fmt::format(
                                   "its signature was NOT checked: keyring {} does not "
                                   "exist",
                                   keyring);
    c.problem_kind = ErrorKind::kOther;
    c.problem = keyring.empty() ? "no kernel.org keyring is configured"
                                : fmt::format("the kernel.org keyring {} does not exist", keyring);
    c.fix =
        "restore keys/kernel.org.gpg from the repository (git checkout -- keys/), or pass "
        "--keyring FILE";
  } else if (!tool_available("gpgv")) {
    c.note = "its signature was NOT checked: gpgv is not installed (Debian package gpgv)";
    c.problem_kind = ErrorKind::kToolMissing;
    c.problem = "gpgv is not installed, so the signature of sha256sums.asc cannot be checked";
    c.fix = "install the Debian package gpgv (apt-get install gpgv)";
  } else {
    try {
      body = verify_clearsigned(text, keyring, c.signature_verified, c.note);
    } catch (const SourceError& e) {
      if (e.kind() != ErrorKind::kChecksum) throw;  // not a verdict on the signature
      c.note = fmt::format("its signature does NOT verify: {}", e.what());
      c.problem_kind = ErrorKind::kChecksum;
      c.problem = fmt::format("{} ({})", e.what(), c.sums_url);
      c.fix = fmt::format(
          "do not use this download: the checksums or their signature were altered, or "
          "the keyring {} lacks kernel.org's current signing key (see keys/README.md)",
          keyring);
    }
  }
  std::string name = tarball_url.substr(tarball_url.rfind('/') + 1);
  c.listed = listed_sha256(body, name);
  if (c.listed.empty())
    c.status = SumsCheck::Status::kNotListed;
  else
    c.status = c.listed == actual ? SumsCheck::Status::kMatched : SumsCheck::Status::kMismatch;
  if (c.signature_verified && c.status == SumsCheck::Status::kNotListed) {
    c.problem_kind = ErrorKind::kChecksum;
    c.problem = fmt::format("{} (signature verified) does not list {}", c.sums_url, name);
    c.fix = "check the tarball URL in variants.toml (kernel.org lists every release it serves)";
  }
  return c;
}

}  // namespace rk::source
