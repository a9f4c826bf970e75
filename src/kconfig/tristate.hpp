// Kconfig's three-valued logic: n < m < y, with AND as minimum, OR as maximum and NOT as 2 - x.
#pragma once

#include <algorithm>
#include <cstdint>

namespace rk::kconfig {

enum class Tristate : uint8_t { No = 0, Mod = 1, Yes = 2 };

constexpr Tristate tri_and(Tristate a, Tristate b) {
  return std::min(a, b);
}
constexpr Tristate tri_or(Tristate a, Tristate b) {
  return std::max(a, b);
}
constexpr Tristate tri_not(Tristate a) {
  return static_cast<Tristate>(2 - static_cast<int>(a));
}
constexpr char tri_char(Tristate t) {
  return t == Tristate::Yes ? 'y' : t == Tristate::Mod ? 'm' : 'n';
}

}  // namespace rk::kconfig
