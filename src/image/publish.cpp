#include "image/publish.hpp"

#include <cstdio>

#include <cstring>

#include <cerrno>

#include <sys/stat.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include "image/oci.hpp"

namespace rk::image {

namespace fs = std::filesystem;

namespace {

void check_destination(const std::string& dest) {
  const std::string scheme = "docker://";
  if (dest.rfind(scheme, 0) != 0 || dest.size() == scheme.size()) {
    throw ImageError(ErrorKind::kRequest,
                     "--to " + dest + ": give a registry repository as docker://HOST/REPO");
  }
  std::string rest = dest.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string last = rest.substr(rest.rfind('/') + 1);
  if (slash == std::string::npos || slash == 0 || last.empty()) {
    throw ImageError(ErrorKind::kRequest, "--to " + dest + ": give a repository, e.g. docker://" +
                                              (slash == std::string::npos ? rest : "HOST") +
                                              "/runner-kernel");
  }
  if (rest.find('@') != std::string::npos || last.find(':') != std::string::npos) {
    throw ImageError(ErrorKind::kRequest,
                     "--to " + dest +
                         ": give the repository without a tag or digest; the tags are " +
                         "<version>-linux<branch> and <alias>-linux<branch>");
  }
}

std::string quote(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t\n'\"\\$`") == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + quote(a);
  return out;
}

// The branch suffix of a tag: "0.7.0-linux61" -> "linux61".
std::string branch_suffix(const LayoutRef& r) {
  size_t pos = r.tag.rfind("-linux");
  if (pos == std::string::npos) {
    throw ImageError(ErrorKind::kLayout,
                     "tag " + r.tag + " in the layout has no -linux<branch> suffix; recreate " +
                         "the layout with `runner-kernel image`");
  }
  return r.tag.substr(pos + 1);
}

struct TempFile {
  fs::path path;
  TempFile() {
    std::string pattern = (fs::temp_directory_path() / "rk-digest-XXXXXX").string();
    std::vector<char> t(pattern.begin(), pattern.end());
    t.push_back('\0');
    int fd = ::mkstemp(t.data());
    if (fd < 0)
      throw ImageError(ErrorKind::kPublish,
                       pattern + ": cannot create a temporary file (check $TMPDIR)");
    ::close(fd);
    path = t.data();
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

}  // namespace

void check_authfile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw ImageError(ErrorKind::kRequest, "--authfile " + path + ": " + std::strerror(errno) +
                                              "; write it with `skopeo login --authfile " + path +
                                              " --password-stdin REGISTRY`");
  if (!S_ISREG(st.st_mode))
    throw ImageError(ErrorKind::kRequest, "--authfile " + path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw ImageError(ErrorKind::kRequest,
                     "--authfile " + path + " is readable or writable by others (mode " + mode +
                         "); it holds registry credentials: chmod 600 " + path);
  }
}

std::string strip_userinfo(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t host = scheme + 3;
  size_t end = url.find_first_of("/?#", host);
  size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

std::vector<PublishedTag> publish_layout(const PublishRequest& req, const ProcessRunner& run,
                                         const std::function<void(const std::string&)>& log) {
  check_destination(req.destination);
  if (!req.authfile.empty()) check_authfile(req.authfile);
  if (!req.alias.empty()) image_tag(req.alias, "0");  // throws on an invalid alias
  fs::path layout = fs::absolute(req.layout).lexically_normal();
  if (layout.string().find(':') != std::string::npos) {
    throw ImageError(ErrorKind::kLayout,
                     layout.string() + ": skopeo cannot address a layout whose path holds ':'; " +
                         "move it elsewhere or pass --from with another path");
  }
  std::vector<LayoutRef> refs = read_layout_refs(layout);
  if (!req.branches.empty()) {
    std::vector<LayoutRef> kept;
    for (const std::string& b : req.branches) {
      auto it = std::find_if(refs.begin(), refs.end(), [&](const LayoutRef& r) {
        return r.branch == b ||
               (r.branch.empty() && branch_suffix(r) == image_tag("x", b).substr(2));
      });
      if (it == refs.end()) {
        throw ImageError(ErrorKind::kLayout, (layout / "index.json").string() +
                                                 ": no image of branch " + b +
                                                 "; run `runner-kernel image` after building it");
      }
      kept.push_back(*it);
    }
    refs = kept;
  }
  if (refs.empty()) {
    throw ImageError(ErrorKind::kLayout,
                     (layout / "index.json").string() +
                         ": no tagged images; recreate the layout with `runner-kernel image`");
  }

  std::vector<PublishedTag> pushed;
  for (const LayoutRef& r : refs) {
    std::vector<std::string> tags{r.tag};
    if (!req.alias.empty()) tags.push_back(req.alias + "-" + branch_suffix(r));
    for (const std::string& tag : tags) {
      std::vector<std::string> argv{req.skopeo, "copy", "--all", "--preserve-digests"};
      if (!req.tls_verify) argv.push_back("--dest-tls-verify=false");
      if (!req.authfile.empty()) argv.push_back("--dest-authfile=" + req.authfile);
      if (req.retry_times > 0) argv.push_back("--retry-times=" + std::to_string(req.retry_times));
      std::optional<TempFile> digest_file;
      if (!req.dry_run) {
        digest_file.emplace();
        argv.push_back("--digestfile=" + digest_file->path.string());
      }
      argv.push_back("oci:" + layout.string() + ":" + r.tag);
      std::string dest = req.destination + ":" + tag;
      argv.push_back(dest);
      if (req.dry_run) {
        if (log) log(join(argv));
        pushed.push_back({dest, r.descriptor.digest});
        continue;
      }
      ProcessResult res = run(argv);
      if (res.exit_code != 0) {
        std::string fix = res.exit_code == 127
                              ? "install skopeo (apt-get install skopeo)"
                              : "check the registry address, credentials (--authfile) "
                                "and TLS (--dest-tls-verify=false for a plain-HTTP registry)";
        throw ImageError(ErrorKind::kPublish, "pushing " + dest + " failed (" + join(argv) +
                                                  "):\n" + res.output + "\nfix: " + fix);
      }
      std::ifstream in(digest_file->path);
      std::string got;
      std::getline(in, got);
      if (got.empty()) {
        throw ImageError(ErrorKind::kPublish, "pushing " + dest + ": skopeo wrote no digest to " +
                                                  digest_file->path.string() +
                                                  "; use skopeo 1.6 or newer");
      }
      if (got != r.descriptor.digest) {
        throw ImageError(ErrorKind::kPublish,
                         "pushing " + dest + ": the registry holds " + got + " but " +
                             (layout / "index.json").string() + " says " + r.descriptor.digest +
                             "; the registry must keep OCI image indexes unchanged");
      }
      if (log) log("pushed " + dest + " " + got);
      pushed.push_back({dest, got});
    }
  }
  return pushed;
}

}  // namespace rk::image
