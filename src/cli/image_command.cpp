// `runner-kernel image`: the OCI image layout of the built kernels (out/oci), and
// `runner-kernel publish`: pushing it to a registry with skopeo.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "image/artifacts.hpp"
#include "image/oci.hpp"
#include "image/process.hpp"
#include "image/publish.hpp"
#include "variants/matrix.hpp"

namespace rk::cli {

namespace {

// Mirrors project(VERSION) in CMakeLists.txt and main.cpp's --version.
constexpr const char* kProjectVersion = "0.1.0";

struct ImageArgs {
  std::string out = "out/oci";
  std::string artifacts = "out";
  std::string version = kProjectVersion;
  std::string source, revision;
  std::vector<std::string> arches{"x86_64", "arm64"};
  std::vector<std::string> branches;
  bool quiet = false;
  bool allow_untested = false;
  std::vector<std::string> variants;  // from the matrix: sets branches and arches
};

struct PublishArgs {
  std::string from = "out/oci";
  std::string to;
  std::string alias = "main";
  std::vector<std::string> branches;
  bool tls_verify = true;
  std::string authfile;
  int retry_times = 0;
  bool dry_run = false;
};

// First line of a git command's output in the current directory, or "" when git fails.
std::string git_output(std::vector<std::string> args) {
  args.insert(args.begin(), "git");
  image::ProcessResult r = image::run_process(args);
  if (r.exit_code != 0) return "";
  std::string line = r.output.substr(0, r.output.find('\n'));
  return line;
}

// `make VARIANTS=...` names variants (or branches, or arches); the image then holds their
// branches with just their arches.
void select_variants(ImageArgs& a) {
  variants::Matrix m = variants::Matrix::load(variants::find_matrix_file(""));
  a.branches.clear();
  a.arches.clear();
  for (const variants::Variant* v : m.select(a.variants)) {
    const std::string& branch = m.branch_of(*v).name;
    const std::string& arch = m.arch_of(*v).name;
    if (std::find(a.branches.begin(), a.branches.end(), branch) == a.branches.end())
      a.branches.push_back(branch);
    if (std::find(a.arches.begin(), a.arches.end(), arch) == a.arches.end())
      a.arches.push_back(arch);
  }
}

int run_image(ImageArgs a) {
  try {
    if (!a.variants.empty()) select_variants(a);
    image::DiscoverOptions d;
    d.artifacts = a.artifacts;
    d.arches = a.arches;
    d.branches = a.branches;
    d.require_boot_test = !a.allow_untested;
    if (a.allow_untested) {
      std::fprintf(stderr,
                   "runner-kernel image: --allow-untested: packaging kernels without checking "
                   "their boot tests\n");
    }
    d.source_date_epoch = image::parse_source_date_epoch(std::getenv("SOURCE_DATE_EPOCH"));

    image::LayoutRequest req;
    req.branches = image::discover_branches(d);
    req.version = a.version;
    req.out = a.out;
    // A remote URL may carry a token (https://user:token@host/...): never into the image.
    req.source = image::strip_userinfo(
        a.source.empty() ? git_output({"remote", "get-url", "origin"}) : a.source);
    req.revision = a.revision.empty() ? git_output({"rev-parse", "HEAD"}) : a.revision;
    if (req.revision == "-") req.revision.clear();
    if (req.source == "-") req.source.clear();

    image::LayoutResult res = image::write_oci_layout(req);
    if (!a.quiet) {
      for (const auto& b : res.branches) {
        std::printf("oci:%s:%s %s\n", a.out.c_str(), b.tag.c_str(), b.index.digest.c_str());
        for (const auto& img : b.images) {
          std::printf("  linux/%s %s (layer %lld bytes)\n", img.architecture.c_str(),
                      img.manifest.digest.c_str(), static_cast<long long>(img.layer.size));
        }
      }
    }
    return 0;
  } catch (const image::ImageError& e) {
    std::fprintf(stderr, "runner-kernel image: %s\n", e.what());
    return 1;
  } catch (const variants::VariantsError& e) {
    std::fprintf(stderr, "runner-kernel image: %s\n", e.what());
    return 1;
  }
}

int run_publish(const PublishArgs& a) {
  try {
    image::PublishRequest req;
    req.layout = a.from;
    req.destination = a.to;
    req.alias = a.alias;
    req.branches = a.branches;
    req.tls_verify = a.tls_verify;
    req.authfile = a.authfile;
    req.retry_times = a.retry_times;
    req.dry_run = a.dry_run;
    if (!a.dry_run && !image::program_available(req.skopeo)) {
      throw image::ImageError(image::ErrorKind::kPublish,
                              "skopeo: not found in PATH; install it (apt-get install skopeo)");
    }
    image::publish_layout(req, image::run_process, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
    return 0;
  } catch (const image::ImageError& e) {
    std::fprintf(stderr, "runner-kernel publish: %s\n", e.what());
    return 1;
  }
}

CommandRunner register_image_command(CLI::App& app) {
  auto args = std::make_shared<ImageArgs>();
  CLI::App* cmd = app.add_subcommand(
      "image", "Write the OCI image layout of the built kernels (one multi-arch index per branch)");
  cmd->add_option("--out", args->out, "Layout directory, replaced as a whole")
      ->capture_default_str();
  cmd->add_option("--artifacts", args->artifacts,
                  "Directory holding <branch>/<arch>/{vmlinux.bin.zst,config,System.map,"
                  "build-info.json}")
      ->capture_default_str();
  cmd->add_option("--version", args->version, "Project version, the tag prefix")
      ->capture_default_str();
  cmd->add_option("--source", args->source,
                  "Source URL annotation (default: git remote origin; '-' for none)");
  cmd->add_option("--revision", args->revision,
                  "Source revision annotation (default: git HEAD; '-' for none)");
  cmd->add_option("variants", args->variants,
                  "Variants, branches or arches of variants.toml to package (sets --branch and "
                  "--arch); default: every branch in --artifacts");
  cmd->add_option("--arch", args->arches, "Architectures every branch must have")
      ->capture_default_str();
  cmd->add_option("--branch", args->branches, "Only these branches (e.g. 6.1); default: all");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  cmd->add_flag("--allow-untested", args->allow_untested,
                "Package kernels without a passing boot-test.json (by default every kernel "
                "must have passed `runner-kernel test` as it is now)");
  cmd->footer(
      "Tags are <version>-linux<branch without dots> (e.g. 0.1.0-linux61); address an image as "
      "oci:DIR:TAG.\n`created` and tar mtimes come from SOURCE_DATE_EPOCH, else build-info.json "
      "(source_date_epoch or build_timestamp), else the artifacts' mtimes.");
  return [args] { return run_image(*args); };
}

CommandRunner register_publish_command(CLI::App& app) {
  auto args = std::make_shared<PublishArgs>();
  CLI::App* cmd =
      app.add_subcommand("publish", "Push the OCI layout's images to a registry with skopeo");
  cmd->add_option("--to", args->to, "Destination repository, docker://HOST/REPO")->required();
  cmd->add_option("--from", args->from, "OCI layout directory")->capture_default_str();
  cmd->add_option("--alias", args->alias,
                  "Moving alias prefix: also tag <alias>-linux<branch> ('' for none)")
      ->capture_default_str();
  cmd->add_option("--branch", args->branches, "Only these branches (e.g. 6.1); default: all");
  cmd->add_option("--dest-tls-verify", args->tls_verify,
                  "Require HTTPS with verified certificates (false for a plain-HTTP registry)")
      ->capture_default_str();
  cmd->add_option("--authfile", args->authfile,
                  "Registry credentials file (skopeo's auth.json, mode 0600; write it with "
                  "`skopeo login --authfile FILE --password-stdin REGISTRY`); default: "
                  "$REGISTRY_AUTH_FILE or skopeo's own. Credentials are never taken on the "
                  "command line, where other processes can read them");
  cmd->add_option("--retry-times", args->retry_times, "Retries per push on network errors");
  cmd->add_flag("-n,--dry-run", args->dry_run, "Print the skopeo commands without running them");
  return [args] { return run_publish(*args); };
}

const CommandRegistration kImageRegistration{"image", 60, register_image_command};
const CommandRegistration kPublishRegistration{"publish", 70, register_publish_command};

}  // namespace

}  // namespace rk::cli
