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
  std::string authfile;  // skopeo --dest-authfile (empty: skopeo's default)
  std::string creds;     // skopeo --dest-creds USER[:PASSWORD] (empty: none)
  int retry_times = 0;
  std::string skopeo = "skopeo";
  bool dry_run = false;  // print the commands, run nothing
};

struct PublishedTag {
  std::string reference;  // docker://HOST/REPO:TAG
  std::string digest;     // the branch index digest
};

// Progress lines ("pushed docker://...:0.7.0-linux61 sha256:...") go to `log`.
std::vector<PublishedTag> publish_layout(const PublishRequest& req,
                                         const ProcessRunner& run = run_process,
                                         const std::function<void(const std::string&)>& log = {});

}  // namespace rk::image
