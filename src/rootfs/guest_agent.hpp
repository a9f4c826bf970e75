// The files the rootfs adds to the Debian system so that a boot runs the workload: the agent
// (a shell script) and the systemd unit that starts it once multi-user.target is reached.
#pragma once

#include <string>
#include <vector>

namespace rk::rootfs {

struct GuestFile {
  std::string path;  // absolute path in the guest
  unsigned mode = 0644;
  std::string content;  // the file's bytes; ignored for symlinks
  std::string symlink;  // non-empty: the file is a symlink to this target
};

// The agent, its unit and the symlink that enables it.
const std::vector<GuestFile>& guest_agent_files();

}  // namespace rk::rootfs
