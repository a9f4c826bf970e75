#include "kconfig/token.hpp"

#include <cstring>

namespace rk::kconfig {

namespace {

constexpr Dialect kEveryRelease{0, 0};
constexpr Dialect kNoRelease{999, 0};

struct Keyword {
  std::string_view spelling;
  Tok tok;
  Dialect since = kEveryRelease;  // first release with the keyword
  Dialect until = kNoRelease;     // first release without it
};

// Which words each release's lexer.l reserves (the releases are named in dialect.hpp).
constexpr Keyword kKeywords[] = {
    {"allnoconfig_y", Tok::AllNoConfigY, kEveryRelease, kOptionStatementRemoved},
    {"bool", Tok::Bool},
    {"choice", Tok::Choice},
    {"comment", Tok::Comment},
    {"config", Tok::Config},
    {"def_bool", Tok::DefBool},
    {"def_tristate", Tok::DefTristate},
    {"default", Tok::Default},
    {"defconfig_list", Tok::DefconfigList, kEveryRelease, kOptionStatementRemoved},
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
    {"option", Tok::Option, kEveryRelease, kOptionStatementRemoved},
    {"optional", Tok::Optional, kEveryRelease, kChoiceRewrite},
    {"prompt", Tok::Prompt},
    {"range", Tok::Range},
    {"select", Tok::Select},
    {"source", Tok::Source},
    {"string", Tok::String},
    {"transitional", Tok::Transitional, kTransitionalKeyword},
    {"tristate", Tok::Tristate},
    {"visible", Tok::Visible},
};

// The index in kKeywords of the keyword spelled `w`, or -1. A switch on the length, then
// fixed-size compares (which compile to a few loads).
// (The indices are checked against the table below.)
int keyword_index(std::string_view w) {
  auto is = [&](const char* k, size_t n) { return std::memcmp(w.data(), k, n) == 0; };
  switch (w.size()) {
    case 2:
      if (is("if", 2)) return 15;
      if (is("on", 2)) return 22;
      break;
    case 3:
      if (is("hex", 3)) return 14;
      if (is("int", 3)) return 17;
      break;
    case 4:
      if (is("bool", 4)) return 1;
      if (is("help", 4)) return 13;
      if (is("menu", 4)) return 19;
      break;
    case 5:
      if (is("endif", 5)) return 11;
      if (is("imply", 5)) return 16;
      if (is("range", 5)) return 26;
      break;
    case 6:
      if (is("choice", 6)) return 2;
      if (is("config", 6)) return 4;
      if (is("option", 6)) return 23;
      if (is("prompt", 6)) return 25;
      if (is("select", 6)) return 27;
      if (is("source", 6)) return 28;
      if (is("string", 6)) return 29;
      break;
    case 7:
      if (is("comment", 7)) return 3;
      if (is("default", 7)) return 7;
      if (is("depends", 7)) return 9;
      if (is("endmenu", 7)) return 12;
      if (is("modules", 7)) return 21;
      if (is("visible", 7)) return 32;
      break;
    case 8:
      if (is("def_bool", 8)) return 5;
      if (is("mainmenu", 8)) return 18;
      if (is("optional", 8)) return 24;
      if (is("tristate", 8)) return 31;
      break;
    case 9:
      if (is("endchoice", 9)) return 10;
      break;
    case 10:
      if (is("menuconfig", 10)) return 20;
      break;
    case 12:
      if (is("def_tristate", 12)) return 6;
      if (is("transitional", 12)) return 30;
      break;
    case 13:
      if (is("allnoconfig_y", 13)) return 0;
      break;
    case 14:
      if (is("defconfig_list", 14)) return 8;
      break;
  }
  return -1;
}

static_assert(kKeywords[15].spelling == "if");
static_assert(kKeywords[22].spelling == "on");
static_assert(kKeywords[14].spelling == "hex");
static_assert(kKeywords[17].spelling == "int");
static_assert(kKeywords[1].spelling == "bool");
static_assert(kKeywords[13].spelling == "help");
static_assert(kKeywords[19].spelling == "menu");
static_assert(kKeywords[11].spelling == "endif");
static_assert(kKeywords[16].spelling == "imply");
static_assert(kKeywords[26].spelling == "range");
static_assert(kKeywords[2].spelling == "choice");
static_assert(kKeywords[4].spelling == "config");
static_assert(kKeywords[23].spelling == "option");
static_assert(kKeywords[25].spelling == "prompt");
static_assert(kKeywords[27].spelling == "select");
static_assert(kKeywords[28].spelling == "source");
static_assert(kKeywords[29].spelling == "string");
static_assert(kKeywords[3].spelling == "comment");
static_assert(kKeywords[7].spelling == "default");
static_assert(kKeywords[9].spelling == "depends");
static_assert(kKeywords[12].spelling == "endmenu");
static_assert(kKeywords[21].spelling == "modules");
static_assert(kKeywords[32].spelling == "visible");
static_assert(kKeywords[5].spelling == "def_bool");
static_assert(kKeywords[18].spelling == "mainmenu");
static_assert(kKeywords[24].spelling == "optional");
static_assert(kKeywords[31].spelling == "tristate");
static_assert(kKeywords[10].spelling == "endchoice");
static_assert(kKeywords[20].spelling == "menuconfig");
static_assert(kKeywords[6].spelling == "def_tristate");
static_assert(kKeywords[30].spelling == "transitional");
static_assert(kKeywords[0].spelling == "allnoconfig_y");
static_assert(kKeywords[8].spelling == "defconfig_list");

}  // namespace

Tok keyword(std::string_view word, const Dialect& dialect) {
  // Keywords are 2 to 14 lowercase letters (plus '_'); most words are symbol names in capitals.
  if (word.size() < 2 || word.size() > 14 || word[0] < 'a' || word[0] > 'v') return Tok::Word;
  int i = keyword_index(word);
  if (i < 0) return Tok::Word;
  const Keyword& k = kKeywords[i];
  return dialect.at_least(k.since) && !dialect.at_least(k.until) ? k.tok : Tok::Word;
}

}  // namespace rk::kconfig
