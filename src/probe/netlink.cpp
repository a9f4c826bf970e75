#include "netlink.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace rk::probe {

void NlBuilder::align() {
  buf_.resize(NLMSG_ALIGN(buf_.size()), 0);
}

void NlBuilder::begin(uint16_t type, uint16_t flags, uint32_t seq) {
  if (open_) end();
  align();
  msg_start_ = buf_.size();
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  buf_.resize(buf_.size() + sizeof h);
  std::memcpy(buf_.data() + msg_start_, &h, sizeof h);
  open_ = true;
  ++count_;
}

void NlBuilder::put_raw(const void* data, size_t len) {
  size_t at = buf_.size();
  buf_.resize(at + len);
  if (len) std::memcpy(buf_.data() + at, data, len);
  align();
}

void NlBuilder::put_attr(uint16_t type, const void* data, size_t len) {
  nlattr a{};
  a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  a.nla_type = type;
  size_t at = buf_.size();
  buf_.resize(at + NLA_HDRLEN + len);
  std::memcpy(buf_.data() + at, &a, sizeof a);
  if (len) std::memcpy(buf_.data() + at + NLA_HDRLEN, data, len);
  align();
}

void NlBuilder::put_be32(uint16_t type, uint32_t v) {
  uint32_t be = htonl(v);
  put_attr(type, &be, 4);
}

void NlBuilder::put_str(uint16_t type, std::string_view s) {
  std::string z(s);
  put_attr(type, z.c_str(), z.size() + 1);
}

size_t NlBuilder::begin_nest(uint16_t type, bool flag) {
  size_t at = buf_.size();
  put_attr(static_cast<uint16_t>(type | (flag ? NLA_F_NESTED : 0)), nullptr, 0);
  return at;
}

void NlBuilder::end_nest(size_t token) {
  uint16_t len = static_cast<uint16_t>(buf_.size() - token);
  std::memcpy(buf_.data() + token, &len, sizeof len);
}

void NlBuilder::end() {
  if (!open_) return;
  uint32_t len = static_cast<uint32_t>(buf_.size() - msg_start_);
  std::memcpy(buf_.data() + msg_start_, &len, sizeof len);
  open_ = false;
}

const std::vector<uint8_t>& NlBuilder::data() {
  end();
  return buf_;
}

std::string NlAttr::str() const {
  const char* s = reinterpret_cast<const char*>(data);
  return std::string(s, strnlen(s, len));
}

uint32_t NlAttr::u32() const {
  uint32_t v = 0;
  std::memcpy(&v, data, len < 4 ? len : 4);
  return v;
}

uint32_t NlAttr::be32() const {
  return ntohl(u32());
}

std::vector<NlAttr> parse_attrs(const uint8_t* p, size_t len) {
  std::vector<NlAttr> out;
  size_t off = 0;
  while (off + NLA_HDRLEN <= len) {
    nlattr a;
    std::memcpy(&a, p + off, sizeof a);
    if (a.nla_len < NLA_HDRLEN || off + a.nla_len > len) break;
    out.push_back({static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK), p + off + NLA_HDRLEN,
                   static_cast<size_t>(a.nla_len - NLA_HDRLEN)});
    off += NLA_ALIGN(a.nla_len);
  }
  return out;
}

std::map<uint16_t, NlAttr> attr_map(const uint8_t* p, size_t len) {
  std::map<uint16_t, NlAttr> m;
  for (const NlAttr& a : parse_attrs(p, len)) m[a.type] = a;
  return m;
}

std::map<uint16_t, NlAttr> NlMsg::attrs(size_t hdr_len) const {
  size_t h = NLMSG_ALIGN(hdr_len);
  if (payload_len < h) return {};
  return attr_map(payload + h, payload_len - h);
}

int NlMsg::error() const {
  if (hdr->nlmsg_type != NLMSG_ERROR || payload_len < sizeof(int)) return 0;
  int e;
  std::memcpy(&e, payload, sizeof e);
  return -e;
}

std::vector<NlMsg> parse_messages(const uint8_t* p, size_t len) {
  std::vector<NlMsg> out;
  size_t off = 0;
  while (off + NLMSG_HDRLEN <= len) {
    const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(p + off);
    if (h->nlmsg_len < NLMSG_HDRLEN || off + h->nlmsg_len > len) break;
    out.push_back({h, p + off + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN});
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return out;
}

NlSocket::~NlSocket() {
  if (fd_ >= 0) ::close(fd_);
}

int NlSocket::open(int protocol) {
  fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) return errno;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return errno;
  int one = 1;
  ::setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ::setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  return 0;
}

int NlSocket::recv_some(std::vector<uint8_t>& buf) {
  pollfd pfd{fd_, POLLIN, 0};
  int r = ::poll(&pfd, 1, 3000);
  if (r < 0) return errno;
  if (r == 0) return ETIMEDOUT;
  buf.resize(1 << 16);
  ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n < 0) return errno;
  buf.resize(static_cast<size_t>(n));
  return 0;
}

int NlSocket::transact(NlBuilder& b, const std::vector<uint32_t>& seqs,
                       std::map<uint32_t, int>& errs) {
  const auto& d = b.data();
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  if (::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    return errno;
  std::set<uint32_t> waiting(seqs.begin(), seqs.end());
  std::vector<uint8_t> buf;
  while (!waiting.empty()) {
    if (int e = recv_some(buf)) return e;
    for (const NlMsg& m : parse_messages(buf.data(), buf.size())) {
      if (m.hdr->nlmsg_type != NLMSG_ERROR) continue;
      uint32_t seq = m.hdr->nlmsg_seq;
      errs[seq] = m.error();
      waiting.erase(seq);
      // After a failure (on any message, the batch header included) the kernel aborts the
      // rest: stop waiting for acks. The caller sees the error under its sequence number.
      if (m.error() != 0) return 0;
    }
  }
  return 0;
}

int NlSocket::request(NlBuilder& b, uint32_t seq) {
  std::map<uint32_t, int> errs;
  if (int e = transact(b, {seq}, errs)) return e;
  for (const auto& [s, e] : errs)
    if (e) return e;
  return errs.count(seq) ? 0 : EPROTO;
}

int NlSocket::dump(NlBuilder& b, uint32_t seq, const std::function<void(const NlMsg&)>& fn) {
  const auto& d = b.data();
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  if (::sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    return errno;
  std::vector<uint8_t> buf;
  for (;;) {
    if (int e = recv_some(buf)) return e;
    for (const NlMsg& m : parse_messages(buf.data(), buf.size())) {
      if (m.hdr->nlmsg_seq != seq) continue;
      if (m.hdr->nlmsg_type == NLMSG_DONE) {
        int e = 0;
        if (m.payload_len >= sizeof e) std::memcpy(&e, m.payload, sizeof e);
        return e < 0 ? -e : 0;
      }
      if (m.hdr->nlmsg_type == NLMSG_ERROR) {
        if (m.error() != 0) return m.error();
        continue;
      }
      fn(m);
    }
  }
}

}  // namespace rk::probe
