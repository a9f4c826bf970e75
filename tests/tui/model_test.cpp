#include "tui/model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/file.hpp"
#include "fixture.hpp"
#include "tui/text.hpp"
#include "variants/edit.hpp"

namespace rk::tui {
namespace {

using ::testing::HasSubstr;
using testing::MiniMatrix;
using ::testing::Not;

// Variant order: 5.10-x86_64, 5.10-arm64, 6.1-x86_64, 6.1-arm64, 6.12-x86_64, 6.12-arm64.
constexpr size_t k510x86 = 0, k510arm = 1, k61x86 = 2, k61arm = 3, k612x86 = 4, k612arm = 5;

// The fragments a plan writes.
std::vector<std::string> planned_files(const variants::EditPlan& plan) {
  std::vector<std::string> out;
  for (const auto& [path, text] : plan.texts) out.push_back(path);
  return out;
}

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = mini_.workspace();
    model_ = std::make_unique<Model>(*ws_, ws_->matrix().select({}));
  }
  Node* sym(const std::string& name) {
    Node* n = model_->find_symbol(name);
    EXPECT_NE(n, nullptr) << name;
    return n;
  }
  std::string value(const std::string& name, size_t v) { return model_->cell(sym(name), v).text; }

  MiniMatrix mini_;
  std::unique_ptr<variants::Workspace> ws_;
  std::unique_ptr<Model> model_;
};

TEST_F(ModelTest, MergesTheMenuTreesOfEveryVariant) {
  ASSERT_EQ(model_->variant_count(), 6u);
  std::vector<std::string> top;
  for (auto& c : model_->root()->children) top.push_back(c->prompt);
  EXPECT_THAT(top,
              ::testing::ElementsAre("Platform selection", "Processor type and features",
                                     "Enable loadable module support", "General setup",
                                     "Networking support", "Device Drivers", "Kernel hacking"));
  Node* x86 = model_->root()->children[1].get();
  EXPECT_EQ(model_->cell(x86, k61x86).state, CellState::Shown);
  EXPECT_EQ(model_->cell(x86, k61arm).state, CellState::Absent);
  // PSI exists from 6.1 on.
  EXPECT_EQ(model_->cell(sym("PSI"), k510x86).state, CellState::Absent);
  EXPECT_EQ(value("PSI", k61x86), "y");
  EXPECT_EQ(value("PSI", k612x86), "n");
  // MEMCG depends on CGROUPS, which only arm64 turns on.
  EXPECT_EQ(model_->cell(sym("MEMCG"), k61x86).state, CellState::Invisible);
  EXPECT_EQ(model_->cell(sym("MEMCG"), k61arm).state, CellState::Shown);
  EXPECT_EQ(value("LOG_BUF_SHIFT", k510arm), "18");
  EXPECT_EQ(value("FRAME_WARN", k510arm), "2048");
  EXPECT_EQ(value("FRAME_WARN", k510x86), "1024");
  Node* choice = sym("KERNEL_GZIP")->parent;
  EXPECT_EQ(choice->kind, NodeKind::Choice);
  EXPECT_EQ(model_->cell(choice, k612arm).text, "KERNEL_GZIP");
}

TEST_F(ModelTest, RowsOfAPageIndentDependentsAndHideWhatNoVariantShows) {
  Node* general = model_->root()->children[3].get();
  std::vector<std::string> rows;
  for (const Row& r : model_->rows(general))
    rows.push_back(std::string(static_cast<size_t>(r.depth) * 2, ' ') + r.node->name);
  EXPECT_THAT(rows, ::testing::ElementsAre("LOCALVERSION", "LOG_BUF_SHIFT", "SWAP", "PSI",
                                           "CGROUPS", "  MEMCG"));
  Node* hacking = model_->root()->children[6].get();
  size_t shown = model_->rows(hacking).size();
  model_->show_all = true;
  EXPECT_GT(model_->rows(hacking).size(), shown);  // DEBUG_INFO is invisible everywhere
}

TEST_F(ModelTest, MarksNameTheFragmentThatSetsASymbol) {
  auto marks = model_->marks(sym("CGROUPS"));
  EXPECT_FALSE(marks[k61x86].has_value());
  ASSERT_TRUE(marks[k61arm].has_value());
  EXPECT_EQ(marks[k61arm]->fragment, "configs/arch/arm64.config");
  EXPECT_EQ(marks[k61arm]->value, "y");
  auto core = model_->marks(sym("LOG_BUF_SHIFT"));
  for (const auto& m : core) EXPECT_EQ(m->fragment, "configs/base/core.config");
}

TEST_F(ModelTest, AChangeAppliesToEveryVariantByDefault) {
  ChangeResult r = model_->set_value(sym("SWAP"), "n");
  EXPECT_EQ(r.landed_count(), 6u);
  for (size_t v = 0; v < 6; ++v) {
    EXPECT_EQ(value("SWAP", v), "n");
    EXPECT_TRUE(model_->cell(sym("SWAP"), v).pending);
  }
  variants::EditPlan plan = model_->plan();
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(planned_files(plan), ::testing::ElementsAre("configs/base/core.config"));
  EXPECT_THAT(model_->diff_text(), HasSubstr("+CONFIG_SWAP=n"));
  // Back to the value the fragments give: nothing pending any more.
  model_->set_value(sym("SWAP"), "y");
  EXPECT_FALSE(model_->dirty());
}

TEST_F(ModelTest, SelectedColumnsNarrowAChange) {
  model_->toggle_column(k612arm);
  ChangeResult r = model_->set_value(sym("DEBUG_KERNEL"), "y");
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_TRUE(r.outcomes[0].landed);
  EXPECT_EQ(value("DEBUG_KERNEL", k612arm), "y");
  EXPECT_EQ(value("DEBUG_KERNEL", k612x86), "n");
  // DEBUG_INFO became visible there only.
  EXPECT_EQ(model_->cell(sym("DEBUG_INFO"), k612arm).state, CellState::Shown);
  EXPECT_EQ(model_->cell(sym("DEBUG_INFO"), k612x86).state, CellState::Invisible);
  variants::EditPlan plan = model_->plan();
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(planned_files(plan), ::testing::ElementsAre("configs/variant/6.12-arm64.config"));
}

TEST_F(ModelTest, ARefusedValueSaysWhyAndWhatToSet) {
  ChangeResult r = model_->set_value(sym("MEMCG"), "y");
  EXPECT_EQ(r.landed_count(), 3u);
  for (const auto& o : r.outcomes) {
    if (o.landed) continue;
    EXPECT_THAT(o.reason, HasSubstr("CGROUPS"));
  }
  std::string why;
  for (const auto& line : model_->diagnose(sym("MEMCG"), k61x86, "y")) why += line + "\n";
  EXPECT_THAT(why, HasSubstr("CGROUPS"));
  EXPECT_THAT(why, HasSubstr("CONFIG_CGROUPS=y"));
  // Forced by a select.
  ChangeResult sel = model_->set_value(sym("VIRTIO_MMIO"), "n");
  EXPECT_EQ(sel.landed_count(), 0u);
  EXPECT_THAT(sel.outcomes[0].reason, HasSubstr("FIRECRACKER_GUEST"));
  // The arm64 part is carried by the arm64 fragment.
  variants::EditPlan plan = model_->plan();
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(planned_files(plan), ::testing::ElementsAre("configs/arch/arm64.config"));
}

TEST_F(ModelTest, ValuesOfIntAndStringSymbolsAreChecked) {
  ChangeResult bad = model_->set_value(sym("LOG_BUF_SHIFT"), "40");
  EXPECT_EQ(bad.landed_count(), 0u);
  EXPECT_THAT(bad.outcomes[0].reason, HasSubstr("range"));
  ChangeResult ok = model_->set_value(sym("CMDLINE"), "console=ttyS0 \"q\"");
  EXPECT_EQ(ok.landed_count(), 6u);
  EXPECT_THAT(model_->diff_text(), HasSubstr("+CONFIG_CMDLINE=\"console=ttyS0 \\\"q\\\"\""));
}

TEST_F(ModelTest, SaveWritesFragmentLinesAndReResolves) {
  model_->set_value(sym("SWAP"), "n");
  model_->toggle_column(k612arm);
  model_->set_value(sym("DEBUG_KERNEL"), "y");
  model_->clear_selection();
  model_->set_value(sym("MEMCG"), "y");
  EXPECT_THAT(model_->save(), ::testing::IsEmpty());
  EXPECT_FALSE(model_->dirty());
  EXPECT_THAT(mini_.read("configs/base/core.config"), HasSubstr("CONFIG_SWAP=n\n"));
  EXPECT_THAT(mini_.read("configs/base/core.config"),
              HasSubstr("# Firecracker guests find their devices on virtio-mmio.\n"));
  EXPECT_THAT(mini_.read("configs/variant/6.12-arm64.config"), HasSubstr("CONFIG_DEBUG_KERNEL=y"));
  EXPECT_THAT(mini_.read("configs/arch/arm64.config"), HasSubstr("CONFIG_MEMCG=y"));
  // A fresh workspace resolves the same from the files.
  auto ws = mini_.workspace();
  for (const variants::Variant& v : ws->matrix().variants) {
    std::string text = ws->resolve(v).config_text;
    EXPECT_THAT(text, HasSubstr("# CONFIG_SWAP is not set")) << v.name;
    bool arm = v.name.find("arm64") != std::string::npos;
    EXPECT_EQ(text.find("CONFIG_MEMCG=y") != std::string::npos, arm) << v.name;
    EXPECT_EQ(text.find("CONFIG_DEBUG_KERNEL=y") != std::string::npos, v.name == "6.12-arm64")
        << v.name;
  }
}

TEST_F(ModelTest, AChangeForAVariantWithoutItsOwnFragmentGetsOneAsConfigSetMakes) {
  model_->toggle_column(k61arm);
  model_->set_value(sym("DEBUG_KERNEL"), "y");
  variants::EditPlan plan = model_->plan();
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan.new_fragments, ::testing::ElementsAre("configs/local/6.1-arm64.config"));
  EXPECT_THAT(model_->save(), ::testing::IsEmpty());
  EXPECT_THAT(mini_.read("configs/local/6.1-arm64.config"), HasSubstr("CONFIG_DEBUG_KERNEL=y\n"));
  EXPECT_THAT(mini_.read("variants.toml"), HasSubstr("path = \"configs/local/6.1-arm64.config\""));
  EXPECT_THAT(mini_.read("configs/branch/6.1.config"), Not(HasSubstr("DEBUG_KERNEL")));
  // The model resolves from the new fragment too.
  EXPECT_FALSE(model_->dirty());
  EXPECT_EQ(value("DEBUG_KERNEL", k61arm), "y");
  EXPECT_EQ(value("DEBUG_KERNEL", k61x86), "n");
}

TEST_F(ModelTest, AChangeNoScopeCanCarryIsRefusedAtSaveAndNothingIsWritten) {
  std::string matrix = mini_.read("variants.toml");
  model_->toggle_column(k61arm);
  model_->toggle_column(k612x86);
  model_->set_value(sym("DEBUG_KERNEL"), "y");
  variants::EditPlan plan = model_->plan();
  ASSERT_FALSE(plan.ok());
  std::vector<std::string> problems = model_->save();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("not all branches x arches"));
  EXPECT_TRUE(model_->dirty());
  EXPECT_EQ(mini_.read("variants.toml"), matrix);
  EXPECT_THAT(mini_.read("configs/branch/6.1.config"), Not(HasSubstr("DEBUG_KERNEL")));
}

// menuconfig and `config set` share one planner: the same request lands in the same fragment
// with the same text.
TEST_F(ModelTest, MenuconfigPlansEditsExactlyAsConfigSetDoes) {
  struct Case {
    std::string symbol, value, fragment_value;
    std::vector<size_t> columns;  // empty: every variant
    std::vector<std::string> variants;
  };
  std::vector<Case> cases = {
      {"SWAP", "n", "n", {}, {}},
      {"DEBUG_KERNEL", "y", "y", {k612arm}, {"6.12-arm64"}},
      {"CGROUPS", "n", "n", {k510arm, k61arm, k612arm}, {"arm64"}},
      {"LOG_BUF_SHIFT", "17", "17", {}, {}},
      {"CMDLINE", "console=ttyS0", "\"console=ttyS0\"", {}, {}},
      {"DEBUG_KERNEL", "y", "y", {k510x86}, {"5.10-x86_64"}},
  };
  for (const Case& c : cases) {
    auto ws = mini_.workspace();
    Model model(*ws, ws->matrix().select({}));
    for (size_t v : c.columns) model.toggle_column(v);
    model.set_value(model.find_symbol(c.symbol), c.value);
    variants::EditPlan from_menuconfig = model.plan();

    auto cli_ws = mini_.workspace();
    variants::SettingChange ch;
    ch.symbol = c.symbol;
    ch.value = c.fragment_value;
    ch.variants = c.variants;
    variants::EditPlan from_config_set = variants::plan_edits(*cli_ws, {ch});
    ASSERT_TRUE(from_config_set.ok()) << c.symbol;
    ASSERT_TRUE(from_menuconfig.ok()) << c.symbol;
    EXPECT_EQ(from_menuconfig.texts, from_config_set.texts) << c.symbol;
    EXPECT_EQ(from_menuconfig.new_fragments, from_config_set.new_fragments) << c.symbol;
    EXPECT_EQ(from_menuconfig.matrix_text, from_config_set.matrix_text) << c.symbol;
    EXPECT_FALSE(from_menuconfig.texts.empty()) << c.symbol;
  }
}

// A `config set` that runs while menuconfig is open is not lost by menuconfig's save: the
// save takes the lock, reads the files again and applies its own changes to them.
TEST_F(ModelTest, SaveKeepsWhatAnotherWriterChangedSinceLoading) {
  model_->set_value(sym("SWAP"), "n");
  {
    // What `config set LOG_BUF_SHIFT=16` and `config set DEBUG_KERNEL=y --variant 6.1-arm64`
    // do, from another workspace, after menuconfig loaded the files.
    auto other = mini_.workspace();
    variants::SettingChange shift{"LOG_BUF_SHIFT", "16", {}, "", ""};
    variants::EditPlan p1 = variants::plan_edits(*other, {shift});
    ASSERT_TRUE(p1.ok());
    variants::write_plan(other->matrix(), p1);
    auto third = mini_.workspace();
    variants::SettingChange debug{"DEBUG_KERNEL", "y", {"6.1-arm64"}, "", ""};
    variants::EditPlan p2 = variants::plan_edits(*third, {debug});
    ASSERT_TRUE(p2.ok());
    variants::write_plan(third->matrix(), p2);
  }
  ASSERT_THAT(mini_.read("configs/base/core.config"), HasSubstr("CONFIG_LOG_BUF_SHIFT=16"));
  EXPECT_THAT(model_->save(), ::testing::IsEmpty());
  std::string core = mini_.read("configs/base/core.config");
  EXPECT_THAT(core, HasSubstr("CONFIG_LOG_BUF_SHIFT=16"));
  EXPECT_THAT(core, Not(HasSubstr("CONFIG_LOG_BUF_SHIFT=18")));
  EXPECT_THAT(core, HasSubstr("CONFIG_SWAP=n\n"));
  EXPECT_THAT(mini_.read("variants.toml"), HasSubstr("configs/local/6.1-arm64.config"));
  EXPECT_THAT(mini_.read("configs/local/6.1-arm64.config"), HasSubstr("CONFIG_DEBUG_KERNEL=y"));
  // The model now shows both writers' values.
  EXPECT_EQ(value("LOG_BUF_SHIFT", k61x86), "16");
  EXPECT_EQ(value("SWAP", k61x86), "n");
  EXPECT_EQ(value("DEBUG_KERNEL", k61arm), "y");
}

// A save re-reads variants.toml; when its variants are no longer the ones on screen, it
// refuses (writing nothing) instead of planning for columns that moved.
TEST_F(ModelTest, SaveRefusesWhenTheVariantsChangedSinceLoading) {
  model_->set_value(sym("SWAP"), "n");
  std::string matrix = mini_.read("variants.toml");
  const std::string from = "branches = [\"5.10\", \"6.1\", \"6.12\"]";
  ASSERT_NE(matrix.find(from), std::string::npos);
  matrix.replace(matrix.find(from), from.size(), "branches = [\"6.1\", \"6.12\"]");
  base::write_file_atomically(mini_.dir() + "/variants.toml", matrix);
  const std::string core = mini_.read("configs/base/core.config");
  std::vector<std::string> problems = model_->save();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("the variants changed since it was loaded"));
  EXPECT_EQ(mini_.read("configs/base/core.config"), core);
  EXPECT_TRUE(model_->dirty());
}

TEST_F(ModelTest, SearchFindsNamesAndPromptsAndTheirPages) {
  std::vector<Node*> found = model_->search("vsock");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]->name, "VSOCKETS");
  EXPECT_EQ(found[1]->name, "VIRTIO_VSOCKETS");
  std::vector<Node*> path = model_->path_to(found[1]);
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(path[1]->prompt, "Networking support");
  EXPECT_EQ(model_->search("CONFIG_memcg").size(), 1u);
  EXPECT_EQ(model_->search("Memory controller").size(), 1u);
}

TEST_F(ModelTest, HelpHasConfsTextAndTheExplainView) {
  std::string help = model_->help_text(sym("MEMCG"), k61x86, 76);
  EXPECT_THAT(help, HasSubstr("Provides control over the memory footprint"));
  EXPECT_THAT(help, HasSubstr("CGROUPS"));
  EXPECT_THAT(help, HasSubstr("6.1-arm64"));
}

TEST(TextTest, FitsPadsAndCuts) {
  EXPECT_EQ(fit("abc", 5), "abc  ");
  EXPECT_EQ(fit("abcdef", 4), "abc~");
  EXPECT_EQ(text_width("ä€"), 2u);
  EXPECT_EQ(wrap_lines("one two three", 8), (std::vector<std::string>{"one two", "three"}));
}

}  // namespace
}  // namespace rk::tui
