// Toolchain profiles: what each $(shell,...) command of a Kconfig tree printed, recorded once
// with the real (cross) toolchain and replayed later, so a configuration resolves without that
// toolchain and without spawning any process.
//
// File format (text, one record per two lines, any byte sequence round-trips):
//
//   rk-toolchain-profile 1
//   $ <command>
//   > <output, already post-processed as conf does>
//
// Lines starting with '#' and blank lines are ignored. Commands and outputs are escaped: "\\",
// "\n", "\r", "\t" and "\xHH" for every other control byte; everything else is stored as is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kconfig/shell.hpp"

namespace rk::kconfig {

class ToolchainProfile {
 public:
  // Throws KconfigError when the file cannot be read or is not a profile.
  static ToolchainProfile load(const std::string& path);
  // `origin` names the text in error messages (usually its file name).
  static ToolchainProfile parse(std::string_view text, const std::string& origin);

  // Writes a temporary file next to `path` and renames it over `path`, so readers never see a
  // partial profile. Throws KconfigError on failure.
  void save(const std::string& path) const;
  std::string serialize() const;

  // The recorded output of `command`, or nullptr.
  const std::string* find(std::string_view command) const;
  // Records a result; the first result of a command wins (returns false for a repeat).
  bool add(const std::string& command, const std::string& output);

  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  // The file the profile was loaded from (empty for a profile built in memory).
  const std::string& origin() const { return origin_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // in recording order
  std::unordered_map<std::string, size_t> index_;
  std::string origin_;
};

// Runs every command through another runner and remembers the results.
class RecordingShell : public ShellRunner {
 public:
  explicit RecordingShell(ShellRunner& inner) : inner_(inner) {}
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override;
  std::vector<std::optional<std::string>> run_each(const std::vector<std::string>& commands,
                                                   const Environment& env,
                                                   const std::string& cwd) override;
  ToolchainProfile& profile() { return profile_; }
  const ToolchainProfile& profile() const { return profile_; }

 private:
  ShellRunner& inner_;
  ToolchainProfile profile_;
};

// Profiles are keyed by command text, and commands embed the tree's location
// ($(srctree)/scripts/...). Profiles store kSrctreeMark in its place, so a profile recorded in
// one directory replays for a tree anywhere.
inline constexpr std::string_view kSrctreeMark = "@srctree@";

// Passes commands on to `next` with `tree_dir` turned into kSrctreeMark (`to_mark`: the
// commands go to a profile) or the mark into `tree_dir` (a profile's commands go to a live
// shell). An empty or relative `tree_dir` ("." for an in-tree build) is left alone: replacing
// "." in command text would corrupt it.
class SrctreeMarkShell : public ShellRunner {
 public:
  SrctreeMarkShell(ShellRunner& next, std::string tree_dir, bool to_mark)
      : next_(next), tree_dir_(std::move(tree_dir)), to_mark_(to_mark) {}
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override;
  std::vector<std::optional<std::string>> run_each(const std::vector<std::string>& commands,
                                                   const Environment& env,
                                                   const std::string& cwd) override;
  std::string translate(const std::string& command) const;

 private:
  ShellRunner& next_;
  std::string tree_dir_;
  bool to_mark_;
};

// Answers every command from a profile; a command the profile lacks is a KconfigError that
// says how to re-record it, unless a fallback output is set (the fuzzer uses "").
class ReplayShell : public ShellRunner {
 public:
  explicit ReplayShell(ToolchainProfile profile) : profile_(std::move(profile)) {}
  std::string run(const std::string& command, const Environment& env,
                  const std::string& cwd) override;
  void set_fallback(std::optional<std::string> output) { fallback_ = std::move(output); }
  const ToolchainProfile& profile() const { return profile_; }

 private:
  ToolchainProfile profile_;
  std::optional<std::string> fallback_;
};

}  // namespace rk::kconfig
