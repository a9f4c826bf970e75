// kernel.org's sha256sums.asc: the checksums of every release tarball in a directory,
// clearsigned by kernel.org's checksum autosigner key.
#pragma once

#include <string>

#include "source/download.hpp"
#include "source/util.hpp"

namespace rk::source {

struct SumsCheck {
  enum class Status {
    kMatched,      // listed and equal
    kMismatch,     // listed and different (`listed` holds kernel.org's)
    kNotListed,    // the file holds no line for the tarball
    kUnavailable,  // sha256sums.asc could not be downloaded (`note` says why)
  };
  Status status = Status::kUnavailable;
  std::string sums_url;
  std::string listed;
  bool signature_verified = false;
  std::string note;  // what was and was not checked, for the user
  // When the signature was not verified: why, and the error kind a refusal reports
  // (kChecksum: no or a bad signature; kToolMissing: no gpgv; kOther: no keyring).
  ErrorKind problem_kind = ErrorKind::kOther;
  std::string problem;
  std::string fix;  // what the user can do about `problem`
};

// "https://.../v6.x/sha256sums.asc" for "https://.../v6.x/linux-6.1.1.tar.xz".
std::string sums_url_for(const std::string& tarball_url);

// The checksum listed for `filename` in a sha256sums file ("" when absent).
std::string listed_sha256(const std::string& sums_text, const std::string& filename);

// Checks the signature of a clearsigned `sums_text` with gpgv against `keyring`. With a good
// signature returns the signed text and sets `checked`; without a keyring or gpgv returns
// `sums_text` unchanged, leaves `checked` false and says so in `note`. A bad signature throws
// SourceError(kChecksum).
std::string verify_clearsigned(const std::string& sums_text, const std::string& keyring,
                               bool& checked, std::string& note);

// Downloads sha256sums.asc next to `tarball_url`, checks its signature with gpgv against
// `keyring` and compares `actual_sha256` with the listed checksum. Never throws for a missing
// or bad signature, a missing keyring or gpgv: `signature_verified` stays false and `problem`
// says why (the caller decides whether that is an error). Without a verified signature the
// listing is still read (unverified): a mismatch is reported either way.
SumsCheck check_kernel_org_sums(const std::string& tarball_url, const std::string& actual_sha256,
                                const std::string& keyring, const DownloadOptions& options);

}  // namespace rk::source
