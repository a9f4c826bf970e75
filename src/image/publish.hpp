// Pushing an OCI layout's branch indexes to a registry with skopeo.
//
// Each tagged index of the layout (e.g. 0.7.0-linux61) is copied with all its platforms and
// unchanged digests (skopeo copy --all --preserve-digests) to DEST:TAG, then to the moving
// alias DEST:<alias>-linux61 (e.g. main-linux61). The digest skopeo reports for each push must
// equal the layout's, or publishing fails.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "image/process.hpp"

namespace rk::image {

struct PublishRequest {
  std::filesystem::path layout = "out/oci";
  std::string destination;            // docker://HOST/REPO (no tag)
  std::string alias = "main";         // moving alias prefix; empty: no alias
  std::vector<std::string> branches;  // only these kernel branches ("6.1"); empty: all
  bool tls_verify = true;
  // Credentials come only from a file (skopeo's auth.json: written by `skopeo login
  // --authfile FILE --password-stdin`), never from argv, where every process on the machine can
  // read them (/proc/PID/cmdline). Empty: $REGISTRY_AUTH_FILE or skopeo's default. The file
  // must be readable by its owner only (checked before anything runs).
  std::string authfile;
  int retry_times = 0;
  std::string skopeo = "skopeo";
  bool dry_run = false;  // print the commands, run nothing
};

struct PublishedTag {
  std::string reference;  // docker://HOST/REPO:TAG
  std::string digest;     // the branch index digest
};

// Throws ImageError unless `path` is a regular file that only its owner can read or write.
void check_authfile(const std::string& path);

// `url` without its user information ("https://user:token@host/x" -> "https://host/x"), for
// anything printed or written into an image.
std::string strip_userinfo(const std::string& url);

// Progress lines ("pushed docker://...:0.7.0-linux61 sha256:...") go to `log`.
std::vector<PublishedTag> publish_layout(const PublishRequest& req,
                                         const ProcessRunner& run = run_process,
                                         const std::function<void(const std::string&)>& log = {});

}  // namespace rk::image
