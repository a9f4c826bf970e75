// Kernel command line parsing (pure: no system access, unit tested on the host).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::probe {

// Splits /proc/cmdline into words the way the kernel does: whitespace separates, double quotes
// group (and are removed).
std::vector<std::string> split_cmdline(std::string_view cmdline);

// The value of the last `key=value` word, "" for a bare `key`, nullopt when absent.
std::optional<std::string> cmdline_param(std::string_view cmdline, std::string_view key);

// Splits on sep, dropping empty items.
std::vector<std::string> split_list(std::string_view text, char sep);

// The kernel's ip= parameter:
// ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>[:<dns0>:<dns1>...]
// or a bare autoconf word (ip=dhcp, ip=off, ...).
struct IpParam {
  std::string client, server, gateway, netmask, hostname, device, autoconf;
};
IpParam parse_ip_param(std::string_view value);

// True when ip= asks for no configuration at all (off/none).
bool ip_param_disabled(const IpParam& ip);

// Prefix length of a dotted IPv4 netmask ("255.255.255.0" -> 24), nullopt when not a valid
// contiguous mask.
std::optional<int> netmask_prefix(std::string_view mask);

}  // namespace rk::probe
