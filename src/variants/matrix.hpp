// The variant matrix (variants.toml): branches, arches, fragments, patches, and the variants
// they make. Loading validates everything a later stage relies on, with file:line errors.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>

#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/file_lock.hpp"

namespace rk::variants {

// What went wrong in the variants stage. Problems in a file (variants.toml, a fragment, the
// lint rules, the parity tables) read "file:line: message" (and the fix, when one is known).
enum class ErrorKind {
  kMatrix,     // variants.toml: malformed, or a name (variant, fragment) it does not have
  kFragment,   // a fragment file: unreadable or malformed
  kLintRules,  // configs/rules.toml
  kParity,     // the parity seed table or configs/DROPPED.md
  kTree,       // a kernel tree or toolchain profile a variant needs is missing or unusable
  kResolve,    // evaluating a variant's configuration failed
  kGit,        // `config diff` against a revision: not a revision, or a file missing in it
  kIo,         // a temporary directory or a file could not be made or written
  kRequest,    // the request names things that do not exist or repeats them
};

class VariantsError : public base::StageError<ErrorKind> {
 public:
  using StageError::StageError;
};

struct ArchSpec {
  std::string name;           // the matrix's name, e.g. "x86_64", "arm64"
  std::string kbuild_arch;    // ARCH=
  std::string srcarch;        // arch/<srcarch>/
  std::string target;         // Kbuild target and shipped artifact: "vmlinux", "Image"
  std::string cross_compile;  // CROSS_COMPILE= when the host is another architecture
  std::string oci_platform;   // "linux/amd64"
  std::string uname_machine;  // `uname -m` of a host that builds this arch natively
};

struct TarballSource {
  std::string url;
  std::string sha256;  // empty until recorded from a verified first download
};

struct DebianSource {
  std::string package;  // linux-source-6.1
  std::string version;  // Debian package version
  std::string suite;    // apt suite: bookworm, bullseye-security
  std::string sha256;   // of the .deb
};

struct BranchSpec {
  std::string name;     // "6.1"
  std::string version;  // exact stable release: "6.1.192"
  TarballSource tarball;
  DebianSource debian;
  std::vector<std::string> patches;  // repo-relative, applied in order
  int line = 0;                      // where the branch is declared in variants.toml
};

struct FragmentSpec {
  std::string path;                   // repo-relative, as written in variants.toml
  std::vector<std::string> arches;    // empty: every arch
  std::vector<std::string> branches;  // empty: every branch
  std::vector<std::string> probes;    // boot-test probes that prove this fragment's features
  // Workload scenarios (runner-kernel test --workload) that prove them: a declared scenario
  // must pass; one that reports a skip fails the variant (undeclared ones may skip).
  std::vector<std::string> scenarios;
  int line = 0;
  bool applies_to(const std::string& branch, const std::string& arch) const;
};

struct Variant {
  std::string name;               // "<branch>-<arch>"
  size_t branch = 0;              // index into Matrix::branches
  size_t arch = 0;                // index into Matrix::arches
  std::vector<size_t> fragments;  // indices into Matrix::fragments, in application order
};

struct Matrix {
  std::string path;  // variants.toml
  std::string root;  // its directory: fragment, patch and profile paths are relative to it
  std::string project_name;
  std::string project_version;
  std::string toolchain_profiles;  // directory, root-relative
  std::vector<ArchSpec> arches;
  std::vector<BranchSpec> branches;
  std::vector<FragmentSpec> fragments;
  std::vector<Variant> variants;  // branches x arches of [matrix], branch-major

  // Throws VariantsError naming the file and line of the first problem.
  static Matrix load(const std::string& path);
  static Matrix parse(const std::string& text, const std::string& path);

  const BranchSpec& branch_of(const Variant& v) const { return branches[v.branch]; }
  const ArchSpec& arch_of(const Variant& v) const { return arches[v.arch]; }
  const Variant* find_variant(const std::string& name) const;
  const BranchSpec* find_branch(const std::string& name) const;
  const ArchSpec* find_arch(const std::string& name) const;
  // Every variant when `names` is empty; otherwise those named, where a name may also be a
  // branch ("6.1") or an arch ("arm64") meaning all its variants. Unknown names throw with the
  // list of valid ones.
  std::vector<const Variant*> select(const std::vector<std::string>& names) const;
  std::string absolute(const std::string& relative) const;  // root-relative to absolute
  std::string profile_path(const Variant& v) const;         // toolchain profile of a variant
  // Probes every fragment of the variant declares, deduplicated, in fragment order.
  std::vector<std::string> probes_of(const Variant& v) const;
  // Workload scenarios every fragment of the variant declares, likewise.
  std::vector<std::string> scenarios_of(const Variant& v) const;

  // A derived matrix for what-if builds and controls: without the fragments whose path is in
  // `drop` (their probes are no longer required), then with each `add` file appended to every
  // variant (after all others, so it wins; it declares no probes). Paths in `drop` are as
  // variants.toml writes them or absolute; `add` paths are taken as given. Throws VariantsError
  // for a `drop` path that names no fragment, listing those that exist.
  Matrix with_fragments(const std::vector<std::string>& drop,
                        const std::vector<std::string>& add) const;
};

// `toml_text` (the text of `matrix.path`) with a [[fragment]] entry appended for each of
// `entries` (path, arches, branches, probes, scenarios; empty lists are left out), every string
// written as an escaped TOML basic string. The one writer of fragment entries: `config set` and
// `config import` both add fragments through it. Throws VariantsError naming the file and line of
// the existing entry when a path is already listed, or the problem when the result does not
// load.
std::string append_fragment_entries(const Matrix& matrix, const std::string& toml_text,
                                    const std::vector<FragmentSpec>& entries);

// Finds variants.toml: `explicit_path` when given, else $RK_MATRIX, else walking up from the
// current directory. Throws VariantsError when none is found.
std::string find_matrix_file(const std::string& explicit_path);

// The repository's configuration lock (base::FileLock on .runner-kernel.lock beside
// variants.toml). Every writer of configs/ and variants.toml (config set/unset/import --write,
// menuconfig's save) takes it before reading what it edits.
std::string configuration_lock_path(const std::string& matrix_file);
// Where a multi-file write of the configuration records what to undo when it is interrupted
// (.runner-kernel.journal beside variants.toml).
std::string configuration_journal_path(const std::string& matrix_file);

// Takes the configuration lock (base::FileLock, waiting at most `max_wait`; `log` may be null)
// and then undoes a multi-file write that a killed holder left half done, so the caller reads
// the files as the last complete write left them. Throws base::FileError.
std::unique_ptr<base::FileLock> lock_configuration(
    const std::string& matrix_file, const std::string& what, std::FILE* log,
    std::chrono::seconds max_wait = std::chrono::hours(2));

// Writes configuration files (fragments, variants.toml) all or none, journaled
// (base::write_files_atomically). Call with the lock held. Throws VariantsError (kIo).
void write_configuration(const std::string& matrix_file,
                         const std::vector<base::FileReplacement>& files);

}  // namespace rk::variants
