#include "rootfs/lock.hpp"

#include <algorithm>
#include <tuple>

#include "rootfs/recipe.hpp"

namespace rk::rootfs {
namespace {

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_arch_name(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "name:arch" with both parts valid.
bool is_package_key(std::string_view key) {
  size_t colon = key.find(':');
  return colon != std::string_view::npos && is_package_name(key.substr(0, colon)) &&
         is_arch_name(key.substr(colon + 1));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A deb822 stanza's fields (the first line of each; continuation lines are skipped: none of
// the fields read here has any).
using Stanza = std::map<std::string, std::string, std::less<>>;

template <typename Each>
void for_each_stanza(std::string_view text, Each each) {
  Stanza stanza;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (!stanza.empty()) each(stanza);
      stanza.clear();
    } else if (line[0] != ' ' && line[0] != '\t' && line[0] != '#') {
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        stanza[std::string(line.substr(0, colon))] = std::string(trim(line.substr(colon + 1)));
      }
    }
    if (end == text.size()) break;
    pos = end + 1;
  }
  if (!stanza.empty()) each(stanza);
}

std::string field(const Stanza& s, std::string_view name) {
  auto it = s.find(name);
  return it == s.end() ? std::string() : it->second;
}

}  // namespace

Lock parse_lock(std::string_view text, const std::string& origin) {
  Lock lock;
  size_t pos = 0;
  int line_number = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    std::string where = origin + ":" + std::to_string(line_number) + ": ";
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    size_t equals = line.find('=');
    size_t space = line.find(' ');
    if (equals == std::string_view::npos || space == std::string_view::npos || space < equals ||
        line.find(' ', space + 1) != std::string_view::npos) {
      throw RootfsError(where + "expected 'name:arch=version sha256:<hex>', got '" +
                        std::string(line) + "'");
    }
    std::string key(line.substr(0, equals));
    std::string version(line.substr(equals + 1, space - equals - 1));
    std::string_view hash = line.substr(space + 1);
    if (!is_package_key(key)) throw RootfsError(where + "bad package name '" + key + "'");
    if (!is_debian_version(version)) {
      throw RootfsError(where + "bad version '" + version + "' for " + key);
    }
    if (!hash.starts_with("sha256:") || !is_sha256_hex(hash.substr(7))) {
      throw RootfsError(where + "bad checksum '" + std::string(hash) + "' for " + key +
                        " (sha256:<64 lowercase hex>)");
    }
    if (lock.count(key)) throw RootfsError(where + key + " is listed twice");
    lock[key] = {version, std::string(hash.substr(7))};
  }
  return lock;
}

std::string format_lock(const Lock& lock, const std::string& arch) {
  std::string text =
      "# Packages of the " + arch +
      " guest root filesystem, as installed by `runner-kernel rootfs`.\n"
      "# Generated: change it only with `runner-kernel rootfs --arch " +
      arch +
      " --update`.\n"
      "# name:arch=version sha256:<sha256 of the .deb, from the mirror's Packages index>\n";
  for (const auto& [key, p] : lock) {
    if (!is_package_key(key) || !is_debian_version(p.version) || !is_sha256_hex(p.sha256)) {
      throw RootfsError("rootfs lock: cannot write entry '" + key + "=" + p.version + " " +
                        p.sha256 + "'");
    }
    text += key + "=" + p.version + " sha256:" + p.sha256 + "\n";
  }
  return text;
}

std::vector<LockChange> compare_lock(const Lock& locked, const Lock& offered) {
  std::vector<LockChange> changes;
  for (const auto& [key, p] : locked) {
    auto it = offered.find(key);
    if (it == offered.end()) {
      changes.push_back({key, p.version, "", false});
    } else if (it->second.version != p.version) {
      changes.push_back({key, p.version, it->second.version, false});
    } else if (it->second.sha256 != p.sha256) {
      changes.push_back({key, p.version, it->second.version, true});
    }
  }
  for (const auto& [key, p] : offered) {
    if (!locked.count(key)) changes.push_back({key, "", p.version, false});
  }
  std::sort(changes.begin(), changes.end(),
            [](const LockChange& a, const LockChange& b) { return a.package < b.package; });
  return changes;
}

std::string update_command_for(const std::string& arch, const std::string& update_command) {
  return update_command.empty() ? "runner-kernel rootfs --arch " + arch + " --update"
                                : update_command;
}

std::string refusal_message(const std::vector<LockChange>& changes, const std::string& arch,
                            const std::string& lock_path, const std::string& update_command) {
  std::string text = "rootfs " + arch + ": the packages the mirror offers differ from " +
                     lock_path + " (" + std::to_string(changes.size()) + " change" +
                     (changes.size() == 1 ? "" : "s") + "):\n";
  for (const LockChange& c : changes) {
    text += "  " + c.package + ": ";
    if (c.same_version_other_hash) {
      text += "version " + c.locked + " locked, but the mirror's .deb has another sha256\n";
    } else if (c.locked.empty()) {
      text += "not locked, offered " + c.offered + "\n";
    } else if (c.offered.empty()) {
      text += "locked " + c.locked + ", no longer installed\n";
    } else {
      text += "locked " + c.locked + ", offered " + c.offered + "\n";
    }
  }
  text += "No image was written and the lock is unchanged. To accept these versions, run\n  " +
          update_command_for(arch, update_command) + "\nand commit " + lock_path + ".";
  return text;
}

Lock installed_packages(std::string_view status_text,
                        const std::vector<std::string>& packages_indexes) {
  // (name, arch, version) -> sha256, from every index.
  std::map<std::tuple<std::string, std::string, std::string>, std::string> index_hashes;
  for (const std::string& index : packages_indexes) {
    for_each_stanza(index, [&](const Stanza& s) {
      std::string hash = field(s, "SHA256");
      if (!is_sha256_hex(hash)) return;  // checked when an installed package needs it
      index_hashes[{field(s, "Package"), field(s, "Architecture"), field(s, "Version")}] = hash;
    });
  }
  Lock lock;
  std::string error;
  for_each_stanza(status_text, [&](const Stanza& s) {
    if (!error.empty() || field(s, "Status") != "install ok installed") return;
    std::string name = field(s, "Package");
    std::string arch = field(s, "Architecture");
    std::string version = field(s, "Version");
    std::string key = name + ":" + arch;
    if (!is_package_key(key) || !is_debian_version(version)) {
      error = "dpkg status: bad package entry '" + key + "=" + version + "'";
      return;
    }
    auto it = index_hashes.find({name, arch, version});
    if (it == index_hashes.end()) {
      error = "installed package " + key + "=" + version +
              " has no entry with a sha256 in the mirror's Packages index";
      return;
    }
    if (lock.count(key)) {
      error = "dpkg status lists " + key + " twice";
      return;
    }
    lock[key] = {version, it->second};
  });
  if (!error.empty()) throw RootfsError("rootfs: " + error);
  if (lock.empty()) throw RootfsError("rootfs: dpkg status lists no installed package");
  return lock;
}

}  // namespace rk::rootfs
