#include "cmdline.hpp"

#include <arpa/inet.h>

#include <cstdint>

namespace rk::probe {

std::vector<std::string> split_cmdline(std::string_view cmdline) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  bool quoted = false;
  for (char c : cmdline) {
    if (c == '"') {
      quoted = !quoted;
      in_word = true;
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')) {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    cur.push_back(c);
    in_word = true;
  }
  if (in_word) words.push_back(cur);
  return words;
}

std::optional<std::string> cmdline_param(std::string_view cmdline, std::string_view key) {
  std::optional<std::string> found;
  for (const std::string& w : split_cmdline(cmdline)) {
    if (w == key) {
      found = "";
    } else if (w.size() > key.size() && w.compare(0, key.size(), key) == 0 &&
               w[key.size()] == '=') {
      found = w.substr(key.size() + 1);
    }
  }
  return found;
}

std::vector<std::string> split_list(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

IpParam parse_ip_param(std::string_view value) {
  IpParam ip;
  if (value.find(':') == std::string_view::npos) {
    ip.autoconf = std::string(value);
    return ip;
  }
  std::string* fields[] = {&ip.client,   &ip.server, &ip.gateway, &ip.netmask,
                           &ip.hostname, &ip.device, &ip.autoconf};
  size_t i = 0;
  size_t start = 0;
  while (i < std::size(fields)) {
    size_t end = value.find(':', start);
    *fields[i++] = std::string(
        value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return ip;
}

bool ip_param_disabled(const IpParam& ip) {
  return ip.client.empty() && (ip.autoconf == "off" || ip.autoconf == "none");
}

std::optional<int> netmask_prefix(std::string_view mask) {
  in_addr a{};
  std::string m(mask);
  if (inet_pton(AF_INET, m.c_str(), &a) != 1) return std::nullopt;
  uint32_t v = ntohl(a.s_addr);
  int bits = 0;
  while (bits < 32 && (v & (0x80000000u >> bits))) ++bits;
  uint32_t expect = bits == 0 ? 0 : ~0u << (32 - bits);
  if (v != expect) return std::nullopt;
  return bits;
}

}  // namespace rk::probe
