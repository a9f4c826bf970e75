// Comparing the .config Kbuild used with the one our engine resolved.
#pragma once

#include <string>
#include <vector>

namespace rk::build {

struct ConfigComparison {
  bool equal = true;
  std::vector<std::string> only_resolved;  // lines of ours that Kbuild's .config lacks
  std::vector<std::string> only_kbuild;    // lines Kbuild wrote that ours lacks
  bool order_differs = false;              // same lines, another order
};

// The text without conf's 4-line header ("#", "# Automatically generated file; DO NOT EDIT.",
// "# Linux/<arch> <version> Kernel Configuration", "#"); unchanged when it has none.
std::string strip_config_header(const std::string& text);

// Compares the two texts line by line after their headers.
ConfigComparison compare_configs(const std::string& resolved, const std::string& kbuild);

// "- CONFIG_X=y" / "+ # CONFIG_X is not set" lines, at most `limit` of each side.
std::string describe_difference(const ConfigComparison& c, size_t limit = 40);

}  // namespace rk::build
