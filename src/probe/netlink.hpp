// Hand-built netlink messages: a builder and parser (pure, unit tested on the host) and a
// socket wrapper for requests with acks and dumps.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rk::probe {

// Builds one or more netlink messages back to back in one buffer (a batch is just that).
class NlBuilder {
 public:
  // Starts a message; ends the previous one if still open.
  void begin(uint16_t type, uint16_t flags, uint32_t seq);
  // Appends a fixed family header (ifinfomsg, ifaddrmsg, nfgenmsg, ...), padded.
  void put_raw(const void* data, size_t len);
  template <class T>
  void put_struct(const T& v) {
    put_raw(&v, sizeof v);
  }
  void put_attr(uint16_t type, const void* data, size_t len);
  void put_u8(uint16_t type, uint8_t v) { put_attr(type, &v, 1); }
  void put_u32(uint16_t type, uint32_t v) { put_attr(type, &v, 4); }
  void put_be32(uint16_t type, uint32_t v);
  // A NUL-terminated string attribute.
  void put_str(uint16_t type, std::string_view s);
  // Opens a nested attribute (NLA_F_NESTED set when `flag`); returns a token for end_nest.
  size_t begin_nest(uint16_t type, bool flag = true);
  void end_nest(size_t token);
  // Closes the current message (sets nlmsg_len).
  void end();

  const std::vector<uint8_t>& data();
  size_t message_count() const { return count_; }

 private:
  void align();
  std::vector<uint8_t> buf_;
  size_t msg_start_ = 0;
  bool open_ = false;
  size_t count_ = 0;
};

struct NlAttr {
  uint16_t type = 0;  // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
  const uint8_t* data = nullptr;
  size_t len = 0;
  std::string str() const;  // up to the first NUL
  uint32_t u32() const;
  uint32_t be32() const;
};

// Attributes in [p, p+len); stops at the first malformed one.
std::vector<NlAttr> parse_attrs(const uint8_t* p, size_t len);
// Last attribute of each type.
std::map<uint16_t, NlAttr> attr_map(const uint8_t* p, size_t len);
inline std::map<uint16_t, NlAttr> attr_map(const NlAttr& nest) {
  return attr_map(nest.data, nest.len);
}

struct NlMsg {
  const nlmsghdr* hdr = nullptr;
  const uint8_t* payload = nullptr;  // after the header
  size_t payload_len = 0;
  // Attributes after a family header of hdr_len bytes.
  std::map<uint16_t, NlAttr> attrs(size_t hdr_len) const;
  // For NLMSG_ERROR: the (positive) errno, 0 for an ack.
  int error() const;
};

// Messages in a received buffer; stops at the first malformed one.
std::vector<NlMsg> parse_messages(const uint8_t* p, size_t len);

class NlSocket {
 public:
  NlSocket() = default;
  ~NlSocket();
  NlSocket(const NlSocket&) = delete;
  NlSocket& operator=(const NlSocket&) = delete;

  // socket(AF_NETLINK, SOCK_RAW, protocol) + bind; returns 0 or errno.
  int open(int protocol);
  uint32_t next_seq() { return ++seq_; }

  // Sends the builder's messages; collects the NLMSG_ERROR replies for the given sequence
  // numbers (each must have been sent with NLM_F_ACK) into errs (seq -> errno, 0 for ack).
  // Returns 0, or an errno of send/recv (ETIMEDOUT when an ack is missing).
  int transact(NlBuilder& b, const std::vector<uint32_t>& seqs, std::map<uint32_t, int>& errs);
  // Sends one request with NLM_F_ACK and returns its error (0 on ack) or a socket errno.
  int request(NlBuilder& b, uint32_t seq);
  // Sends a dump request and calls fn for every reply message until NLMSG_DONE; returns 0, the
  // dump's error (as errno), or a socket errno.
  int dump(NlBuilder& b, uint32_t seq, const std::function<void(const NlMsg&)>& fn);

 private:
  int recv_some(std::vector<uint8_t>& buf);
  int fd_ = -1;
  uint32_t seq_ = 1000;
};

}  // namespace rk::probe
