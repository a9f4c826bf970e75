// Recording pins into variants.toml in place: only the edited value's bytes change (the rest
// of the file, comments and layout included, stays byte for byte), written through a
// temporary file and rename.
#pragma once

#include <string>
#include <vector>

namespace rk::source {

struct PinEdit {
  std::string branch;  // "6.1"
  std::string table;   // "tarball", "debian", or "" for the branch's own keys (its version)
  std::string key;     // "sha256", "version", "suite", "url"
  std::string value;
};

// `text` with the edits applied. A key present with a string value has that string replaced;
// a key missing from an inline table is appended to it. The result is re-parsed and must
// equal the original document with the new values and nothing else changed. Throws
// SourceError naming `path` and what could not be edited.
std::string apply_pin_edits(const std::string& text, const std::string& path,
                            const std::vector<PinEdit>& edits);

// Reads `matrix_path`, applies the edits and writes it back atomically (mode kept).
void write_pins(const std::string& matrix_path, const std::vector<PinEdit>& edits);

}  // namespace rk::source
