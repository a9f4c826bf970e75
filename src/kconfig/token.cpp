#include "kconfig/token.hpp"

namespace rk::kconfig {

namespace {

struct Keyword {
  std::string_view spelling;
  Tok tok;
  int since = 0;      // first dialect code (version*1000+patchlevel) with the keyword
  int until = 99999;  // first dialect code without it
};

// Which words each release's lexer.l reserves. 'option' and its arguments went away in 5.13,
// when 'option modules' became the 'modules' keyword; 'optional' went with the choice
// rewrite of 6.11; 'transitional' arrived in 6.18.
constexpr Keyword kKeywords[] = {
    {"allnoconfig_y", Tok::AllNoConfigY, 0, 5013},
    {"bool", Tok::Bool},
    {"choice", Tok::Choice},
    {"comment", Tok::Comment},
    {"config", Tok::Config},
    {"def_bool", Tok::DefBool},
    {"def_tristate", Tok::DefTristate},
    {"default", Tok::Default},
    {"defconfig_list", Tok::DefconfigList, 0, 5013},
    {"depends", Tok::Depends},
    {"endchoice", Tok::EndChoice},
    {"endif", Tok::EndIf},
    {"endmenu", Tok::EndMenu},
    {"help", Tok::Help},
    {"hex", Tok::Hex},
    {"if", Tok::If},
    {"imply", Tok::Imply},
    {"int", Tok::Int},
    {"mainmenu", Tok::MainMenu},
    {"menu", Tok::Menu},
    {"menuconfig", Tok::MenuConfig},
    {"modules", Tok::Modules},
    {"on", Tok::On},
    {"option", Tok::Option, 0, 5013},
    {"optional", Tok::Optional, 0, 6011},
    {"prompt", Tok::Prompt},
    {"range", Tok::Range},
    {"select", Tok::Select},
    {"source", Tok::Source},
    {"string", Tok::String},
    {"transitional", Tok::Transitional, 6018},
    {"tristate", Tok::Tristate},
    {"visible", Tok::Visible},
};

// An open-addressing table over the spellings, built once: a keyword test costs one hash of
// the word's length and first two and last characters, and at most a couple of compares.
class KeywordTable {
 public:
  KeywordTable() {
    for (const Keyword& k : kKeywords) {
      size_t i = slot(k.spelling);
      while (slots_[i]) i = (i + 1) & (kSlots - 1);
      slots_[i] = &k;
    }
  }

  const Keyword* find(std::string_view word) const {
    for (size_t i = slot(word); slots_[i]; i = (i + 1) & (kSlots - 1))
      if (slots_[i]->spelling == word) return slots_[i];
    return nullptr;
  }

 private:
  static constexpr size_t kSlots = 128;
  static size_t slot(std::string_view w) {
    auto c = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(w[i])); };
    return (w.size() * 7 + c(0) * 31 + c(1) * 3 + c(w.size() - 1) * 11) & (kSlots - 1);
  }
  const Keyword* slots_[kSlots] = {};
};

const KeywordTable kKeywordTable;

}  // namespace

Tok keyword(std::string_view word, const Dialect& dialect) {
  // Keywords are 2 to 14 lowercase letters (plus '_'); most words are symbol names in capitals.
  if (word.size() < 2 || word.size() > 14 || word[0] < 'a' || word[0] > 'v') return Tok::Word;
  const Keyword* k = kKeywordTable.find(word);
  if (!k) return Tok::Word;
  int code = dialect.code();
  return code >= k->since && code < k->until ? k->tok : Tok::Word;
}

}  // namespace rk::kconfig
