// `runner-kernel config import FILE --variant V [FILE --variant V ...] [--name NAME] [--write]`:
// the minimal fragment lines that reproduce full .config files on their variants, factored into
// a fragment shared by the imported variants and per-arch/per-branch/per-variant ones. Prints
// the proposal; --write adds configs/imported/NAME*.config and their [[fragment]] entries.
#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/file.hpp"
#include "cli/config_common.hpp"
#include "variants/import.hpp"

namespace rk::cli {

namespace {

namespace fs = std::filesystem;

struct ImportArgs {
  std::vector<std::string> files;
  std::vector<std::string> variants;
  std::string name = "import";
  bool write = false;
};

int run_import(const ConfigOptions& options, const ImportArgs& args) {
  if (args.files.empty()) throw std::runtime_error("config import: give at least one FILE");
  if (args.files.size() != args.variants.size())
    throw std::runtime_error(
        fmt::format("config import: {} file(s) but {} --variant(s): give each FILE its --variant "
                    "(FILE --variant V [FILE --variant V ...])",
                    args.files.size(), args.variants.size()));
  for (char c : args.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      throw std::runtime_error("config import: --name may hold only letters, digits, - _ .");
  std::unique_ptr<base::FileLock> lock;
  if (args.write) lock = options.lock_configuration("config import --write");
  auto ws = options.open_workspace();
  const variants::Matrix& m = ws->matrix();
  std::vector<const variants::Variant*> selected;
  for (const auto& name : args.variants) {
    const variants::Variant* v = m.find_variant(name);
    if (!v) {
      std::string known;
      for (const auto& x : m.variants) known += (known.empty() ? "" : ", ") + x.name;
      throw std::runtime_error(
          fmt::format("config import: unknown variant '{}' (variants: {})", name, known));
    }
    selected.push_back(v);
  }
  ws->load_trees(selected);
  std::vector<variants::VariantImport> imports;
  std::vector<std::string> texts;
  for (size_t i = 0; i < args.files.size(); ++i) {
    texts.push_back(base::read_file(args.files[i]));
    imports.push_back(variants::import_config(*ws, *selected[i], texts.back(), args.files[i]));
  }
  variants::ImportPlan plan = variants::plan_import(m, std::move(imports), args.name);
  size_t lost = variants::verify_plan(*ws, plan, texts);
  std::fputs(variants::format_import_plan(plan).c_str(), stdout);

  if (args.write && !plan.fragments.empty()) {
    for (const auto& f : plan.fragments)
      if (fs::exists(m.absolute(f.path)))
        throw std::runtime_error(fmt::format(
            "{}: already exists; choose another --name or remove it", m.absolute(f.path)));
    std::string toml = variants::add_fragment_entries(m, base::read_file(m.path), plan.fragments);
    // The new fragments and variants.toml: all of them or none.
    std::vector<base::FileReplacement> files;
    for (const auto& f : plan.fragments) files.push_back({m.absolute(f.path), f.text});
    files.push_back({m.path, toml});
    variants::write_configuration(m.path, files);
    std::printf(
        "\nwrote %zu fragment(s) under configs/imported/ and their [[fragment]] entries "
        "in %s\n",
        plan.fragments.size(), m.path.c_str());
  } else if (!plan.fragments.empty()) {
    std::printf("\n(dry run: --write adds these fragments and their [[fragment]] entries)\n");
  }
  return lost == 0 ? 0 : 2;
}

CommandRunner register_import(CLI::App& config, std::shared_ptr<ConfigOptions> options) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = config.add_subcommand(
      "import", "Turn full .config files into minimal fragment lines for their variants");
  cmd->add_option("files", args->files, "Full .config files, each followed by --variant V")
      ->required();
  cmd->add_option("--variant", args->variants, "The variant of the FILE before it (repeat)")
      ->allow_extra_args(false)
      ->required();
  cmd->add_option(
      "--name", args->name,
      "Stem of the new fragments: configs/imported/NAME[-arch|-branch|-variant].config");
  cmd->add_flag("--write", args->write, "Write the fragments and add them to variants.toml");
  return [options, args] { return run_import(*options, *args); };
}

const ConfigSubcommandRegistration kRegistration{"import", 70, register_import};

}  // namespace

}  // namespace rk::cli
