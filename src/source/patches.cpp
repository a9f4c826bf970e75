#include "source/patches.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "source/util.hpp"

namespace rk::source {

namespace fs = std::filesystem;

namespace {

const Tool kPatch{"patch", "patch"};

std::vector<std::string> patch_args(const PatchFile& p, bool dry_run, bool reverse) {
  std::vector<std::string> args{
      "patch",           "-p1", "--batch", "--fuzz=0", "--no-backup-if-mismatch",
      "--reject-file=-", "-i",  p.file};
  args.push_back(reverse ? "--reverse" : "--forward");
  if (dry_run) args.push_back("--dry-run");
  return args;
}

}  // namespace

std::vector<PatchFile> load_patch_series(const std::string& root,
                                         const std::vector<std::string>& patches) {
  std::vector<PatchFile> out;
  for (const auto& rel : patches) {
    PatchFile p;
    p.path = rel;
    fs::path f(rel);
    p.file = (f.is_absolute() ? f : fs::path(root) / f).lexically_normal().string();
    std::error_code ec;
    if (!fs::is_regular_file(p.file, ec))
      throw SourceError(
          ErrorKind::kPatch,
          fmt::format("patch {} is listed in variants.toml but {} does not exist", rel, p.file));
    p.sha256 = sha256_file(p.file);
    out.push_back(std::move(p));
  }
  return out;
}

std::string summarize_patch_failure(const std::string& output) {
  static const std::regex file_re(R"(^(?:checking|patching) file '?([^']+?)'?$)");
  static const std::regex hunk_re(R"(^Hunk #(\d+) FAILED at (\d+).*$)");
  std::istringstream in(output);
  std::string line, current, summary;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, file_re)) {
      current = m[1];
    } else if (std::regex_match(line, m, hunk_re)) {
      if (!summary.empty()) summary += "; ";
      summary +=
          fmt::format("file {}: hunk #{} FAILED at line {}", current, m[1].str(), m[2].str());
    } else if (line.find("can't find file to patch") != std::string::npos ||
               line.find("Reversed (or previously applied) patch detected") != std::string::npos ||
               line.find("No such file") != std::string::npos ||
               line.find("Only garbage was found") != std::string::npos ||
               line.find("malformed patch") != std::string::npos) {
      if (!summary.empty()) summary += "; ";
      summary += (current.empty() ? "" : "file " + current + ": ") + line;
    }
  }
  if (!summary.empty()) return summary;
  std::string trimmed = output;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  return trimmed;
}

void apply_patch_series(const std::string& tree, const std::vector<PatchFile>& series) {
  for (size_t i = 0; i < series.size(); ++i) {
    const PatchFile& p = series[i];
    ToolResult dry = run_tool(kPatch, patch_args(p, true, false), tree);
    if (dry.exit_code != 0)
      throw SourceError(ErrorKind::kPatch,
                        fmt::format("patch {} ({} of {}) does not apply: {}", p.path, i + 1,
                                    series.size(), summarize_patch_failure(dry.output)));
    ToolResult real = run_tool(kPatch, patch_args(p, false, false), tree);
    if (real.exit_code != 0)
      throw SourceError(ErrorKind::kPatch,
                        fmt::format("patch {} ({} of {}) failed after a clean dry run: {}", p.path,
                                    i + 1, series.size(), summarize_patch_failure(real.output)));
  }
}

bool patch_series_applied(const std::string& tree, const std::vector<PatchFile>& series,
                          std::string& why) {
  for (const PatchFile& p : series) {
    ToolResult r = run_tool(kPatch, patch_args(p, true, true), tree);
    if (r.exit_code != 0) {
      why = fmt::format("patch {} is not applied: {}", p.path, summarize_patch_failure(r.output));
      return false;
    }
  }
  return true;
}

}  // namespace rk::source
