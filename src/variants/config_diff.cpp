#include "variants/config_diff.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/file.hpp"
#include "variants/fragment.hpp"

namespace rk::variants {

namespace fs = std::filesystem;

namespace {

using Kind = SymbolChange::Kind;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'')
      out += "'\\''";
    else
      out += ch;
  }
  return out + "'";
}

// Runs `git -C dir args...`; stdout in `out`, true on exit status 0 (stderr is discarded).
bool git(const std::string& dir, const std::vector<std::string>& args, std::string& out) {
  std::string cmd = "git -C " + shell_quote(dir);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " 2>/dev/null";
  out.clear();
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return false;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void write_file(const fs::path& path, const std::string& text) {
  try {
    base::write_file_atomically(path.string(), text, {.durable = false});  // a temporary copy
  } catch (const base::FileError& e) {
    throw VariantsError(ErrorKind::kIo, e.what());
  }
}

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rk-config-diff-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw VariantsError(ErrorKind::kIo, "cannot create a temporary directory");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool same_build_inputs(const Matrix& a, const Variant& va, const Matrix& b, const Variant& vb) {
  const BranchSpec& ba = a.branch_of(va);
  const BranchSpec& bb = b.branch_of(vb);
  const ArchSpec& aa = a.arch_of(va);
  const ArchSpec& ab = b.arch_of(vb);
  return ba.version == bb.version && ba.patches == bb.patches &&
         ba.debian.version == bb.debian.version && aa.kbuild_arch == ab.kbuild_arch &&
         aa.srcarch == ab.srcarch && aa.cross_compile == ab.cross_compile &&
         aa.uname_machine == ab.uname_machine;
}

}  // namespace

size_t VariantDiff::count(Kind k) const {
  return static_cast<size_t>(
      std::count_if(changes.begin(), changes.end(), [k](const auto& c) { return c.kind == k; }));
}

std::map<std::string, std::string> config_values(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.rfind("CONFIG_", 0) == 0) {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      out[std::string(line.substr(7, eq - 7))] = std::string(line.substr(eq + 1));
    } else if (line.rfind("# CONFIG_", 0) == 0) {
      constexpr std::string_view tail = " is not set";
      if (line.size() > 9 + tail.size() && line.substr(line.size() - tail.size()) == tail)
        out[std::string(line.substr(9, line.size() - 9 - tail.size()))] = "n";
    }
  }
  return out;
}

std::vector<SymbolChange> diff_config_texts(const std::string& old_text,
                                            const std::string& new_text) {
  auto a = config_values(old_text);
  auto b = config_values(new_text);
  std::vector<SymbolChange> out;
  auto value = [](const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? std::string("n") : it->second;
  };
  auto visit = [&](const std::string& sym) {
    std::string o = value(a, sym), n = value(b, sym);
    if (o == n) return;
    Kind k = o == "n" ? Kind::Added : n == "n" ? Kind::Removed : Kind::Changed;
    out.push_back({k, sym, o, n});
  };
  for (const auto& [sym, v] : a) visit(sym);
  for (const auto& [sym, v] : b)
    if (!a.count(sym)) visit(sym);
  std::stable_sort(out.begin(), out.end(), [](const SymbolChange& x, const SymbolChange& y) {
    if (x.kind != y.kind) return static_cast<int>(x.kind) < static_cast<int>(y.kind);
    return x.symbol < y.symbol;
  });
  return out;
}

DiffResult diff_variants(Workspace& ws, const Variant& a, const Variant& b) {
  ws.load_trees({&a, &b});
  DiffResult r;
  r.old_label = a.name;
  r.new_label = b.name;
  VariantDiff d;
  d.name = a.name + " -> " + b.name;
  d.old_label = a.name;
  d.new_label = b.name;
  d.changes = diff_config_texts(ws.resolve(a).config_text, ws.resolve(b).config_text);
  r.variants.push_back(std::move(d));
  return r;
}

DiffResult diff_branches(Workspace& ws, const std::string& a, const std::string& b) {
  const Matrix& m = ws.matrix();
  for (const std::string& name : {a, b})
    if (!m.find_branch(name))
      throw VariantsError(ErrorKind::kRequest, fmt::format("unknown branch '{}'", name));
  std::vector<std::pair<const Variant*, const Variant*>> pairs;
  std::vector<const Variant*> all;
  for (const Variant& va : m.variants) {  // in the matrix's arch order
    if (m.branch_of(va).name != a) continue;
    const Variant* vb = m.find_variant(b + "-" + m.arch_of(va).name);
    if (!vb) continue;
    pairs.emplace_back(&va, vb);
    all.push_back(&va);
    all.push_back(vb);
  }
  ws.load_trees(all);
  DiffResult r;
  r.old_label = a;
  r.new_label = b;
  for (const auto& [va, vb] : pairs) {
    VariantDiff d;
    d.name = m.arch_of(*va).name;
    d.old_label = va->name;
    d.new_label = vb->name;
    d.changes = diff_config_texts(ws.resolve(*va).config_text, ws.resolve(*vb).config_text);
    r.variants.push_back(std::move(d));
  }
  return r;
}

DiffResult diff_revision(Workspace& ws, const RevisionDiffOptions& o) {
  const Matrix& cur = ws.matrix();
  const std::string root = cur.root;
  std::string out;
  if (!git(root, {"rev-parse", "--verify", "--quiet", o.rev + "^{commit}"}, out))
    throw VariantsError(
        ErrorKind::kGit,
        fmt::format("{}: '{}' is not a git revision of this repository", root, o.rev));
  std::string commit = out.substr(0, out.find('\n'));

  // The revision's matrix, fragments and toolchain profiles, at the same relative paths.
  TempDir tmp;
  std::string matrix_name = fs::path(cur.path).filename().string();
  std::string text;
  if (!git(root, {"show", commit + ":./" + matrix_name}, text))
    throw VariantsError(ErrorKind::kGit,
                        fmt::format("{}: revision {} has no {}", root, o.rev, matrix_name));
  fs::path rev_matrix_path = tmp.path() / matrix_name;
  write_file(rev_matrix_path, text);
  Matrix rm = Matrix::load(rev_matrix_path.string());
  std::map<std::string, std::string> rev_fragment_text;
  for (const FragmentSpec& f : rm.fragments) {
    if (!git(root, {"show", commit + ":./" + f.path}, text))
      throw VariantsError(ErrorKind::kGit, fmt::format("{}@{}: fragment {} is listed but missing",
                                                       matrix_name, o.rev, f.path));
    write_file(tmp.path() / f.path, text);
    rev_fragment_text[f.path] = text;
  }
  if (git(root, {"ls-tree", "-r", "--name-only", commit, "--", "./" + rm.toolchain_profiles},
          out)) {
    size_t pos = 0;
    while (pos < out.size()) {
      size_t end = out.find('\n', pos);
      if (end == std::string::npos) end = out.size();
      std::string file = out.substr(pos, end - pos);
      pos = end + 1;
      std::string content;
      if (!file.empty() && git(root, {"show", commit + ":./" + file}, content))
        write_file(tmp.path() / file, content);
    }
  }

  // Which variants: the selection (names checked against the working tree's matrix), or
  // every variant of either side.
  std::vector<std::string> names;
  if (!o.variants.empty()) {
    for (const Variant* v : cur.select(o.variants)) names.push_back(v->name);
  } else {
    for (const Variant& v : cur.variants) names.push_back(v.name);
    for (const Variant& v : rm.variants)
      if (!cur.find_variant(v.name)) names.push_back(v.name);
  }

  std::vector<const Variant*> current_side;
  for (const auto& n : names)
    if (const Variant* v = cur.find_variant(n)) current_side.push_back(v);
  ws.load_trees(current_side);

  std::unique_ptr<Workspace> rev_ws;  // only for variants the revision builds differently
  auto rev_workspace = [&]() -> Workspace& {
    if (!rev_ws) {
      if (!o.locator)
        throw VariantsError(
            ErrorKind::kRequest,
            fmt::format(
                "revision {} defines a variant's branch or arch differently; no tree locator given",
                o.rev));
      rev_ws = std::make_unique<Workspace>(rm, o.locator, o.mode);
    }
    return *rev_ws;
  };

  DiffResult r;
  r.old_label = o.rev;
  r.new_label = "working tree";
  for (const std::string& name : names) {
    const Variant* nv = cur.find_variant(name);
    const Variant* ov = rm.find_variant(name);
    VariantDiff d;
    d.name = name;
    d.old_label = o.rev + ":" + name;
    d.new_label = name;
    d.old_missing = ov == nullptr;
    d.new_missing = nv == nullptr;
    // A variant on one side only is reported as such, not as thousands of added symbols.
    if (nv && ov) {
      std::string new_text = ws.resolve(*nv).config_text;
      std::string old_text;
      if (same_build_inputs(rm, *ov, cur, *nv)) {
        std::string merged;
        for (size_t i : ov->fragments) {
          const std::string& path = rm.fragments[i].path;
          merged += fragment_config_text(parse_fragment(rev_fragment_text[path], path));
        }
        old_text = ws.evaluate(*nv, merged).config_text;
      } else {
        Workspace& rw = rev_workspace();
        old_text = rw.resolve(*rw.matrix().find_variant(name)).config_text;
      }
      d.changes = diff_config_texts(old_text, new_text);
    }
    r.variants.push_back(std::move(d));
  }
  return r;
}

std::string render_diff_text(const DiffResult& r) {
  std::string out = fmt::format("config diff: {} -> {}\n", r.old_label, r.new_label);
  for (const VariantDiff& d : r.variants) {
    out += "\n";
    std::string head = d.old_label == d.name || d.new_label == d.name
                           ? d.name
                           : fmt::format("{} ({} -> {})", d.name, d.old_label, d.new_label);
    if (d.old_missing) {
      out += fmt::format("{}: only in {}\n", head, r.new_label);
    } else if (d.new_missing) {
      out += fmt::format("{}: only in {}\n", head, r.old_label);
    }
    if (d.changes.empty()) {
      if (!d.old_missing && !d.new_missing) out += head + ": identical\n";
      continue;
    }
    if (!d.old_missing && !d.new_missing)
      out += fmt::format("{}: {} added, {} removed, {} changed\n", head, d.count(Kind::Added),
                         d.count(Kind::Removed), d.count(Kind::Changed));
    for (const SymbolChange& c : d.changes) {
      switch (c.kind) {
        case Kind::Added:
          out += fmt::format("  + {}={}\n", c.symbol, c.new_value);
          break;
        case Kind::Removed:
          out += fmt::format("  - {}={}\n", c.symbol, c.old_value);
          break;
        case Kind::Changed:
          out += fmt::format("  ~ {}: {} -> {}\n", c.symbol, c.old_value, c.new_value);
          break;
      }
    }
  }
  // Summary table.
  size_t w = 7;
  for (const VariantDiff& d : r.variants) w = std::max(w, d.name.size());
  out +=
      fmt::format("\n{:<{}}  {:>7}  {:>7}  {:>7}\n", "variant", w, "added", "removed", "changed");
  size_t ta = 0, tr = 0, tc = 0;
  for (const VariantDiff& d : r.variants) {
    size_t a = d.count(Kind::Added), rm = d.count(Kind::Removed), c = d.count(Kind::Changed);
    ta += a;
    tr += rm;
    tc += c;
    std::string note = d.old_missing ? "  (new variant)" : d.new_missing ? "  (variant gone)" : "";
    out += fmt::format("{:<{}}  {:>7}  {:>7}  {:>7}{}\n", d.name, w, a, rm, c, note);
  }
  if (r.variants.size() > 1)
    out += fmt::format("{:<{}}  {:>7}  {:>7}  {:>7}\n", "total", w, ta, tr, tc);
  return out;
}

std::string render_diff_json(const DiffResult& r) {
  using json = nlohmann::ordered_json;
  json doc{{"old", r.old_label}, {"new", r.new_label}, {"variants", json::array()}};
  for (const VariantDiff& d : r.variants) {
    json added = json::array(), removed = json::array(), changed = json::array();
    for (const SymbolChange& c : d.changes) {
      if (c.kind == Kind::Added)
        added.push_back({{"symbol", c.symbol}, {"value", c.new_value}});
      else if (c.kind == Kind::Removed)
        removed.push_back({{"symbol", c.symbol}, {"value", c.old_value}});
      else
        changed.push_back({{"symbol", c.symbol}, {"old", c.old_value}, {"new", c.new_value}});
    }
    doc["variants"].push_back(
        {{"name", d.name},
         {"old", d.old_label},
         {"new", d.new_label},
         {"old_missing", d.old_missing},
         {"new_missing", d.new_missing},
         {"counts",
          {{"added", added.size()}, {"removed", removed.size()}, {"changed", changed.size()}}},
         {"added", std::move(added)},
         {"removed", std::move(removed)},
         {"changed", std::move(changed)}});
  }
  return doc.dump(2) + "\n";
}

}  // namespace rk::variants
