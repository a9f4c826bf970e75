// OCI image layout writer (image-spec 1.1) for built kernels.
//
// One layout holds, per kernel branch, a multi-arch image index (one image per platform). Each
// image has a single tar+gzip layer with /vmlinux.bin.zst, /config and /System.map. The
// top-level index.json lists the per-branch indexes, each annotated with
// org.opencontainers.image.ref.name = its tag (e.g. "0.1.0-linux61"), so skopeo addresses
// them as oci:DIR:TAG.
//
// Everything is reproducible: tar entries have fixed order, mode, owner and mtime (the
// branch's `created` time), the gzip header carries no name or timestamp, JSON keys are
// sorted. The layout is built in a temporary directory next to the destination and renamed
// into place, so the destination is never half-written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace rk::image {

// What went wrong in the image stage; the message names the file at fault and how to fix it.
enum class ErrorKind {
  kRequest,    // the options are wrong (--to, an architecture, SOURCE_DATE_EPOCH)
  kArtifacts,  // a build output is missing or invalid: rebuild the variant
  kNotTested,  // no passed boot test for exactly these files: run `runner-kernel test`
  kLayout,     // the OCI layout cannot be written or read
  kPublish,    // skopeo or the registry failed
};

class ImageError : public base::StageError<ErrorKind> {
 public:
  using StageError::StageError;
};

inline constexpr const char* kMediaTypeIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kMediaTypeManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kMediaTypeConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kMediaTypeLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

inline constexpr const char* kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr const char* kAnnotationCreated = "org.opencontainers.image.created";
inline constexpr const char* kAnnotationVersion = "org.opencontainers.image.version";
inline constexpr const char* kAnnotationRevision = "org.opencontainers.image.revision";
inline constexpr const char* kAnnotationSource = "org.opencontainers.image.source";
inline constexpr const char* kAnnotationTitle = "org.opencontainers.image.title";
inline constexpr const char* kAnnotationDescription = "org.opencontainers.image.description";
inline constexpr const char* kAnnotationLicenses = "org.opencontainers.image.licenses";
// Project-specific annotations.
inline constexpr const char* kAnnotationKernelVersion = "org.runner-kernel.kernel.version";
inline constexpr const char* kAnnotationKernelBranch = "org.runner-kernel.kernel.branch";

// The files every image layer holds, as named in the artifact directory and in the layer
// (at the root: /vmlinux.bin.zst, /config, /System.map).
inline const std::vector<std::string>& layer_files() {
  static const std::vector<std::string> files{"vmlinux.bin.zst", "config", "System.map"};
  return files;
}

// The layer files' bytes, name -> content.
using LayerFiles = std::map<std::string, std::string>;

struct PlatformArtifacts {
  std::string os = "linux";
  std::string architecture;   // OCI name: "amd64", "arm64"
  std::filesystem::path dir;  // holds the layer_files()
  // The layer files as read once (discover_branches reads and checks them): the layer is built
  // from exactly these bytes, never from the files read again. Empty: write_oci_layout reads
  // them from `dir` once.
  LayerFiles files;
};

struct BranchInput {
  std::string branch;          // "6.1"
  std::string kernel_version;  // "6.1.112"
  std::int64_t created = 0;    // seconds since the epoch: `created` and every tar mtime
  std::vector<PlatformArtifacts> platforms;
};

struct LayoutRequest {
  std::vector<BranchInput> branches;
  std::string version;        // project version, "0.7.0"
  std::string source;         // source URL (annotation omitted when empty)
  std::string revision;       // source revision (annotation omitted when empty)
  std::filesystem::path out;  // the layout directory, e.g. out/oci (replaced as a whole)
};

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  std::int64_t size = 0;
  std::map<std::string, std::string> annotations;
};

struct ImageResult {
  std::string architecture;
  Descriptor manifest, config, layer;
};

struct BranchResult {
  std::string branch;
  std::string tag;   // "0.7.0-linux61"
  Descriptor index;  // the per-branch image index
  std::vector<ImageResult> images;
};

struct LayoutResult {
  std::vector<BranchResult> branches;
};

// "<version>-linux<branch without dots>", e.g. ("0.7.0", "6.1") -> "0.7.0-linux61". Throws
// ImageError when the result is not a valid OCI/registry tag.
std::string image_tag(const std::string& prefix, const std::string& branch);

// Reads every layer file of `p.dir` once. Throws ImageError naming a missing or unreadable file
// and the fix.
LayerFiles load_layer_files(const BranchInput& b, const PlatformArtifacts& p);

// Writes the whole layout to req.out (replacing what was there). Throws ImageError; on any
// failure req.out is left as it was and no temporary directory remains.
LayoutResult write_oci_layout(const LayoutRequest& req);

// One tagged entry of a layout's index.json.
struct LayoutRef {
  std::string tag;
  std::string branch;  // from the branch annotation (empty if absent)
  Descriptor descriptor;
};

// Reads DIR/index.json (after checking DIR/oci-layout) and returns its tagged entries.
std::vector<LayoutRef> read_layout_refs(const std::filesystem::path& dir);

// Digest helpers.
std::string sha256_hex(const std::string& data);
std::string sha256_file_hex(const std::filesystem::path& file);
// RFC 3339 UTC ("2024-05-01T12:00:00Z").
std::string rfc3339_utc(std::int64_t epoch);

}  // namespace rk::image
