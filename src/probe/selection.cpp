#include "selection.hpp"

#include "cmdline.hpp"

namespace rk::probe {

Selection select_probes(const std::vector<std::string>& names,
                        const std::optional<std::string>& spec) {
  Selection sel;
  std::vector<bool> chosen(names.size(), !spec.has_value());
  if (spec) {
    for (const std::string& item : split_list(*spec, ',')) {
      bool matched = false;
      bool prefix = item.back() == '*';
      std::string stem = prefix ? item.substr(0, item.size() - 1) : item;
      for (size_t i = 0; i < names.size(); ++i) {
        bool m = item == "all" ||
                 (prefix ? names[i].compare(0, stem.size(), stem) == 0 : names[i] == item);
        if (m) {
          chosen[i] = true;
          matched = true;
        }
      }
      if (!matched) sel.unknown.push_back(item);
    }
  }
  for (size_t i = 0; i < names.size(); ++i)
    if (chosen[i]) sel.indices.push_back(i);
  return sel;
}

}  // namespace rk::probe
