#include "variants/matrix.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "base/text.hpp"

namespace rk::variants {

namespace fs = std::filesystem;

namespace {

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

[[noreturn]] void fail(const std::string& path, int line, const std::string& msg) {
  throw VariantsError(ErrorKind::kMatrix, fmt::format("{}:{}: {}", path, line, msg));
}

class Reader {
 public:
  Reader(const std::string& path) : path_(path) {}

  const toml::table& table(const toml::table& parent, std::string_view key, int parent_line,
                           bool required = true) {
    const toml::node* node = parent.get(key);
    if (!node) {
      if (!required) return empty_;
      fail(path_, parent_line, fmt::format("missing table '{}'", key));
    }
    if (!node->is_table()) fail(path_, line_of(*node), fmt::format("'{}' must be a table", key));
    return *node->as_table();
  }

  std::string string(const toml::table& t, std::string_view key, int line, bool required = true,
                     std::string fallback = {}) {
    const toml::node* node = t.get(key);
    if (!node) {
      if (!required) return fallback;
      fail(path_, line, fmt::format("missing key '{}'", key));
    }
    if (!node->is_string()) fail(path_, line_of(*node), fmt::format("'{}' must be a string", key));
    return std::string(node->as_string()->get());
  }

  std::vector<std::string> strings(const toml::table& t, std::string_view key, int line) {
    std::vector<std::string> out;
    const toml::node* node = t.get(key);
    if (!node) return out;
    const toml::array* arr = node->as_array();
    if (!arr) fail(path_, line_of(*node), fmt::format("'{}' must be an array of strings", key));
    for (const toml::node& item : *arr) {
      if (!item.is_string())
        fail(path_, line_of(item), fmt::format("'{}' must contain only strings", key));
      out.emplace_back(item.as_string()->get());
    }
    (void)line;
    return out;
  }

  void only_keys(const toml::table& t, std::initializer_list<std::string_view> keys,
                 std::string_view what) {
    for (const auto& [k, v] : t) {
      if (std::find(keys.begin(), keys.end(), k.str()) == keys.end()) {
        std::string known;
        for (auto key : keys) known += fmt::format("{}{}", known.empty() ? "" : ", ", key);
        fail(path_, line_of(v),
             fmt::format("unknown key '{}' in {} (known: {})", k.str(), what, known));
      }
    }
  }

 private:
  std::string path_;
  toml::table empty_;
};

bool valid_sha256(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string default_uname_machine(const std::string& kbuild_arch) {
  if (kbuild_arch == "arm64") return "aarch64";
  return kbuild_arch;
}

}  // namespace

bool FragmentSpec::applies_to(const std::string& branch, const std::string& arch) const {
  auto has = [](const std::vector<std::string>& list, const std::string& x) {
    return list.empty() || std::find(list.begin(), list.end(), x) != list.end();
  };
  return has(branches, branch) && has(arches, arch);
}

namespace {

// "6.1" (parts 2..2) or "6.1.192" (3..3): numbers of at most 4 digits joined by single dots.
bool is_release(const std::string& s, size_t min_parts, size_t max_parts) {
  size_t parts = 0, digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      ++parts;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 4) {
      ++digits;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  ++parts;
  return parts >= min_parts && parts <= max_parts;
}

// A fragment path as the matrix keeps it: relative to the repository and normalised
// ("configs/base/./x.config" is "configs/base/x.config"), never leaving it, lexically or
// through a symlink, and a regular file when it exists (`config set` may create it).
std::string checked_fragment_path(const std::string& given, const std::string& root,
                                  const std::string& matrix_path, int line) {
  fs::path p(given);
  if (given.empty() || p.is_absolute())
    fail(matrix_path, line,
         fmt::format("fragment path '{}' must be relative to the repository", given));
  fs::path norm = p.lexically_normal();
  if (norm.empty() || *norm.begin() == ".." || norm == ".")
    fail(matrix_path, line,
         fmt::format("fragment path '{}' leaves the repository ({})", given, root));
  std::error_code ec;
  fs::path full = fs::path(root) / norm;
  if (fs::exists(fs::symlink_status(full, ec))) {
    fs::path real = fs::weakly_canonical(full, ec);
    fs::path real_root = fs::weakly_canonical(root, ec);
    fs::path rel = real.lexically_relative(real_root);
    if (ec || rel.empty() || *rel.begin() == "..")
      fail(matrix_path, line,
           fmt::format("fragment path '{}' leads outside the repository, to {}", given,
                       real.string()));
    if (!fs::is_regular_file(real, ec))
      fail(matrix_path, line, fmt::format("fragment path '{}' is not a regular file", given));
  }
  return norm.generic_string();
}

Matrix from_table(const toml::table& doc, const std::string& path) {
  Reader r(path);
  Matrix m;
  m.path = path;
  m.root = fs::absolute(fs::path(path)).parent_path().lexically_normal().string();
  r.only_keys(doc, {"project", "arch", "branch", "matrix", "fragment"}, "the matrix");

  const toml::table& project = r.table(doc, "project", 1);
  int pline = line_of(project);
  r.only_keys(project, {"name", "version", "toolchain_profiles"}, "[project]");
  m.project_name = r.string(project, "name", pline);
  m.project_version = r.string(project, "version", pline);
  m.toolchain_profiles = r.string(project, "toolchain_profiles", pline, false, "toolchains");

  const toml::table& arches = r.table(doc, "arch", 1);
  for (const auto& [name, node] : arches) {
    const toml::table* t = node.as_table();
    if (!t) fail(path, line_of(node), fmt::format("[arch.{}] must be a table", name.str()));
    int line = line_of(*t);
    r.only_keys(
        *t, {"kbuild_arch", "srcarch", "target", "cross_compile", "oci_platform", "uname_machine"},
        fmt::format("[arch.{}]", name.str()));
    ArchSpec a;
    a.name = std::string(name.str());
    a.kbuild_arch = r.string(*t, "kbuild_arch", line);
    a.srcarch = r.string(*t, "srcarch", line);
    a.target = r.string(*t, "target", line);
    a.cross_compile = r.string(*t, "cross_compile", line, false);
    a.oci_platform = r.string(*t, "oci_platform", line);
    a.uname_machine =
        r.string(*t, "uname_machine", line, false, default_uname_machine(a.kbuild_arch));
    m.arches.push_back(std::move(a));
  }

  const toml::table& branches = r.table(doc, "branch", 1);
  for (const auto& [name, node] : branches) {
    const toml::table* t = node.as_table();
    if (!t) fail(path, line_of(node), fmt::format("[branch.\"{}\"] must be a table", name.str()));
    int line = line_of(*t);
    std::string what = fmt::format("[branch.\"{}\"]", name.str());
    r.only_keys(*t, {"version", "tarball", "debian", "patches"}, what);
    BranchSpec b;
    b.name = std::string(name.str());
    b.line = line;
    b.version = r.string(*t, "version", line);
    // Branch names become directory names, image tags and command arguments: only a kernel
    // series ("6.1") is one.
    if (!is_release(b.name, 2, 2))
      fail(path, line,
           fmt::format("branch name '{}' is not a kernel series like \"6.1\" (digits, one dot)",
                       b.name));
    if (!is_release(b.version, 3, 3))
      fail(path, line,
           fmt::format("branch {} has version '{}': give an exact stable release, three numbers "
                       "like \"{}.1\"",
                       b.name, b.version, b.name));
    if (b.version.rfind(b.name + ".", 0) != 0)
      fail(path, line,
           fmt::format("branch {} has version '{}': a branch pins a stable release of itself, "
                       "e.g. \"{}.1\"",
                       b.name, b.version, b.name));
    const toml::table& tb = r.table(*t, "tarball", line, false);
    if (!tb.empty()) {
      r.only_keys(tb, {"url", "sha256"}, what + ".tarball");
      b.tarball.url = r.string(tb, "url", line_of(tb));
      b.tarball.sha256 = r.string(tb, "sha256", line_of(tb), false);
    }
    const toml::table& deb = r.table(*t, "debian", line, false);
    if (!deb.empty()) {
      r.only_keys(deb, {"package", "version", "suite", "sha256"}, what + ".debian");
      b.debian.package = r.string(deb, "package", line_of(deb));
      b.debian.version = r.string(deb, "version", line_of(deb));
      b.debian.suite = r.string(deb, "suite", line_of(deb));
      b.debian.sha256 = r.string(deb, "sha256", line_of(deb), false);
    }
    for (const std::string* sum : {&b.tarball.sha256, &b.debian.sha256})
      if (!sum->empty() && !valid_sha256(*sum))
        fail(path, line,
             fmt::format("{}: '{}' is not a sha256 (64 lowercase hex digits); leave it empty "
                         "to have `runner-kernel fetch` record it",
                         what, *sum));
    if (b.tarball.url.empty() && b.debian.package.empty())
      fail(path, line, fmt::format("{} has no source: give a tarball or a debian package", what));
    b.patches = r.strings(*t, "patches", line);
    m.branches.push_back(std::move(b));
  }

  const toml::node* frags = doc.get("fragment");
  if (frags) {
    const toml::array* arr = frags->as_array();
    if (!arr) fail(path, line_of(*frags), "'fragment' must be an array of tables ([[fragment]])");
    for (const toml::node& node : *arr) {
      const toml::table* t = node.as_table();
      if (!t) fail(path, line_of(node), "each [[fragment]] must be a table");
      int line = line_of(*t);
      r.only_keys(*t, {"path", "arches", "branches", "probes", "scenarios"}, "[[fragment]]");
      FragmentSpec f;
      f.line = line;
      f.path = checked_fragment_path(r.string(*t, "path", line), m.root, path, line);
      f.arches = r.strings(*t, "arches", line);
      f.branches = r.strings(*t, "branches", line);
      f.probes = r.strings(*t, "probes", line);
      f.scenarios = r.strings(*t, "scenarios", line);
      for (const auto& a : f.arches)
        if (!m.find_arch(a))
          fail(path, line, fmt::format("fragment {}: unknown arch '{}'", f.path, a));
      for (const auto& b : f.branches)
        if (!m.find_branch(b))
          fail(path, line, fmt::format("fragment {}: unknown branch '{}'", f.path, b));
      for (const auto& other : m.fragments)
        if (other.path == f.path)
          fail(path, line,
               fmt::format("fragment {} is listed twice (first at line {})", f.path, other.line));
      m.fragments.push_back(std::move(f));
    }
  }

  const toml::table& matrix = r.table(doc, "matrix", 1);
  int mline = line_of(matrix);
  r.only_keys(matrix, {"branches", "arches"}, "[matrix]");
  std::vector<std::string> mb = r.strings(matrix, "branches", mline);
  std::vector<std::string> ma = r.strings(matrix, "arches", mline);
  if (mb.empty() || ma.empty()) fail(path, mline, "[matrix] needs branches and arches");
  for (const auto& bn : mb) {
    const BranchSpec* b = m.find_branch(bn);
    if (!b) fail(path, mline, fmt::format("[matrix] names unknown branch '{}'", bn));
    for (const auto& an : ma) {
      const ArchSpec* a = m.find_arch(an);
      if (!a) fail(path, mline, fmt::format("[matrix] names unknown arch '{}'", an));
      Variant v;
      v.name = bn + "-" + an;
      v.branch = static_cast<size_t>(b - m.branches.data());
      v.arch = static_cast<size_t>(a - m.arches.data());
      for (size_t i = 0; i < m.fragments.size(); ++i)
        if (m.fragments[i].applies_to(bn, an)) v.fragments.push_back(i);
      m.variants.push_back(std::move(v));
    }
  }
  return m;
}

}  // namespace

Matrix Matrix::load(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw VariantsError(ErrorKind::kMatrix,
                        fmt::format("{}: no such file (the variant matrix; run from the repository "
                                    "or pass --matrix)",
                                    path));
  try {
    return from_table(toml::parse_file(path), path);
  } catch (const toml::parse_error& e) {
    fail(path, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
}

Matrix Matrix::parse(const std::string& text, const std::string& path) {
  try {
    return from_table(toml::parse(text, path), path);
  } catch (const toml::parse_error& e) {
    fail(path, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
}

const Variant* Matrix::find_variant(const std::string& name) const {
  for (const auto& v : variants)
    if (v.name == name) return &v;
  return nullptr;
}

const BranchSpec* Matrix::find_branch(const std::string& name) const {
  for (const auto& b : branches)
    if (b.name == name) return &b;
  return nullptr;
}

const ArchSpec* Matrix::find_arch(const std::string& name) const {
  for (const auto& a : arches)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<const Variant*> Matrix::select(const std::vector<std::string>& names) const {
  std::vector<const Variant*> out;
  auto add = [&](const Variant* v) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  if (names.empty()) {
    for (const auto& v : variants) out.push_back(&v);
    return out;
  }
  for (const auto& name : names) {
    bool matched = false;
    for (const auto& v : variants) {
      if (v.name == name || branch_of(v).name == name || arch_of(v).name == name) {
        add(&v);
        matched = true;
      }
    }
    if (!matched) {
      std::string valid;
      for (const auto& v : variants) valid += (valid.empty() ? "" : ", ") + v.name;
      throw VariantsError(
          ErrorKind::kMatrix,
          fmt::format(
              "{}: no variant '{}' (variants: {}; a branch or an arch name selects all of its)",
              path, name, valid));
    }
  }
  return out;
}

Matrix Matrix::with_fragments(const std::vector<std::string>& drop,
                              const std::vector<std::string>& add) const {
  Matrix m = *this;
  for (const std::string& d : drop) {
    // As variants.toml writes it, or any path to the same file from the current directory.
    const std::string given = fs::absolute(d).lexically_normal().string();
    auto same = [&](const FragmentSpec& f) { return f.path == d || absolute(f.path) == given; };
    auto it = std::find_if(m.fragments.begin(), m.fragments.end(), same);
    if (it == m.fragments.end()) {
      std::string known;
      for (const FragmentSpec& f : fragments) known += (known.empty() ? "" : ", ") + f.path;
      throw VariantsError(
          ErrorKind::kMatrix,
          fmt::format("{}: no fragment '{}' to leave out; the fragments are: {}", path, d, known));
    }
    m.fragments.erase(it);
  }
  for (const std::string& a : add) {
    FragmentSpec f;
    f.path = fs::absolute(a).lexically_normal().string();
    m.fragments.push_back(std::move(f));
  }
  for (Variant& v : m.variants) {
    const std::string& bn = m.branch_of(v).name;
    const std::string& an = m.arch_of(v).name;
    v.fragments.clear();
    for (size_t i = 0; i < m.fragments.size(); ++i)
      if (m.fragments[i].applies_to(bn, an)) v.fragments.push_back(i);
  }
  return m;
}

std::string Matrix::absolute(const std::string& relative) const {
  fs::path p(relative);
  if (p.is_absolute()) return relative;
  return (fs::path(root) / p).lexically_normal().string();
}

std::string Matrix::profile_path(const Variant& v) const {
  return absolute(toolchain_profiles + "/" + v.name + ".profile");
}

namespace {

// The names a list member of each of the variant's fragments holds, first mention first.
std::vector<std::string> declared_by(const Matrix& m, const Variant& v,
                                     std::vector<std::string> FragmentSpec::*list) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i : v.fragments)
    for (const auto& name : m.fragments[i].*list)
      if (seen.insert(name).second) out.push_back(name);
  return out;
}

}  // namespace

std::vector<std::string> Matrix::probes_of(const Variant& v) const {
  return declared_by(*this, v, &FragmentSpec::probes);
}

std::vector<std::string> Matrix::scenarios_of(const Variant& v) const {
  return declared_by(*this, v, &FragmentSpec::scenarios);
}

std::string find_matrix_file(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("RK_MATRIX"); env && *env) return env;
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    fs::path candidate = dir / "variants.toml";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (dir == dir.root_path()) break;
  }
  throw VariantsError(
      ErrorKind::kRequest,
      "variants.toml not found in this directory or above it (run inside the runner-kernel "
      "repository, or give --matrix FILE)");
}

namespace {

// `text` as a TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_string(const std::string& text) {
  std::string out = "\"";
  base::append_escaped(out, text, '"', "\\u00");
  return out + "\"";
}

std::string toml_string_array(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + toml_string(item);
  return "[" + out + "]";
}

}  // namespace

std::string append_fragment_entries(const Matrix& matrix, const std::string& toml_text,
                                    const std::vector<FragmentSpec>& entries) {
  std::string out = toml_text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  for (const auto& entry : entries) {
    for (const auto& existing : matrix.fragments)
      if (existing.path == entry.path)
        throw VariantsError(ErrorKind::kMatrix,
                            fmt::format("{}:{}: fragment {} is already listed", matrix.path,
                                        existing.line, entry.path));
    out += "\n[[fragment]]\npath = " + toml_string(entry.path) + "\n";
    if (!entry.arches.empty()) out += "arches = " + toml_string_array(entry.arches) + "\n";
    if (!entry.branches.empty()) out += "branches = " + toml_string_array(entry.branches) + "\n";
    if (!entry.probes.empty()) out += "probes = " + toml_string_array(entry.probes) + "\n";
    if (!entry.scenarios.empty()) out += "scenarios = " + toml_string_array(entry.scenarios) + "\n";
  }
  Matrix::parse(out, matrix.path);  // throws when the result does not load
  return out;
}

std::string configuration_lock_path(const std::string& matrix_file) {
  return (std::filesystem::absolute(matrix_file).parent_path() / ".runner-kernel.lock").string();
}

std::string configuration_journal_path(const std::string& matrix_file) {
  return (std::filesystem::absolute(matrix_file).parent_path() / ".runner-kernel.journal").string();
}

std::unique_ptr<base::FileLock> lock_configuration(const std::string& matrix_file,
                                                   const std::string& what, std::FILE* log,
                                                   std::chrono::seconds max_wait) {
  auto lock = std::make_unique<base::FileLock>(configuration_lock_path(matrix_file), what, log,
                                               nullptr, max_wait);
  if (base::roll_back_interrupted_write(configuration_journal_path(matrix_file)) && log)
    std::fprintf(log, "%s: undid an interrupted write of the configuration (see %s)\n",
                 what.c_str(), configuration_journal_path(matrix_file).c_str());
  return lock;
}

void write_configuration(const std::string& matrix_file,
                         const std::vector<base::FileReplacement>& files) {
  try {
    base::write_files_atomically(files, configuration_journal_path(matrix_file));
  } catch (const base::FileError& e) {
    throw VariantsError(ErrorKind::kIo, e.what());
  }
}

}  // namespace rk::variants
