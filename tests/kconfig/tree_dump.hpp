// A plain-text rendering of a parsed (not yet finalized) tree: every menu entry in order with its
// location, dependencies, prompt, help and properties. Tests compare it with expected text;
// the same format was used to check the parser against conf's own tree on the kernel sources.
#pragma once

#include <cstdio>
#include <string>

#include "kconfig/tree.hpp"

namespace rk::kconfig::testing {

class TreeDump {
 public:
  explicit TreeDump(const Tree& tree) : tree_(tree) {}

  std::string str() {
    out_ = "ROOT";
    if (tree_.root.prompt) {
      out_ += ' ';
      prop("PROMPT", tree_.root.prompt);
    } else {
      out_ += '\n';
    }
    menus(tree_.root.list, 0);
    return out_;
  }

  static std::string expr_str(const Tree& tree, const Expr* e) {
    TreeDump d(tree);
    d.expr(e);
    return d.out_;
  }

 private:
  bool legacy() const { return !tree_.dialect.new_choice_rules(); }

  void text(const std::string& s) {
    out_ += '"';
    for (unsigned char c : s) {
      if (c == '\0') break;
      if (c == '\n') {
        out_ += "\\n";
      } else if (c == '\\') {
        out_ += "\\\\";
      } else if (c == '"') {
        out_ += "\\\"";
      } else if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out_ += buf;
      } else {
        out_ += static_cast<char>(c);
      }
    }
    out_ += '"';
  }

  void sym(const Symbol* s) {
    if (!s) {
      out_ += "NULL";
    } else if (s == tree_.sym_yes || s == tree_.sym_mod || s == tree_.sym_no) {
      out_ += s->name;
    } else if (!s->has_name) {
      out_ += "<choice>";
    } else if (s->is_const()) {
      out_ += "'" + s->name + "'";
    } else if (s->is_choice()) {
      out_ += "<choice " + s->name + ">";
    } else {
      out_ += s->name;
    }
  }

  void expr(const Expr* e) {
    if (!e) {
      out_ += "-";
      return;
    }
    static const char* const kOps[] = {"none", "||", "&&", "!",    "=",   "!=",   "<",
                                       "<=",   ">",  ">=", "list", "sym", "range"};
    switch (e->kind) {
      case ExprKind::Or:
      case ExprKind::And:
        out_ += std::string("(") + kOps[static_cast<int>(e->kind)] + " ";
        expr(e->left);
        out_ += ' ';
        expr(e->right);
        out_ += ')';
        break;
      case ExprKind::Not:
        out_ += "(! ";
        expr(e->left);
        out_ += ')';
        break;
      case ExprKind::Symbol:
        sym(e->lsym);
        break;
      default:
        out_ += std::string("(") + kOps[static_cast<int>(e->kind)] + " ";
        sym(e->lsym);
        out_ += ' ';
        sym(e->rsym);
        out_ += ')';
    }
  }

  void prop(const char* tag, const Property* p) {
    static const char* const kLegacy[] = {"unknown", "prompt", "comment", "menu",  "default",
                                          "choice",  "select", "imply",   "range", "symbol"};
    out_ += std::string(" ") + tag + " " + kLegacy[static_cast<int>(p->type)] + " " +
            (p->file ? p->file->name : std::string("<none>")) + ":" + std::to_string(p->line);
    if (p->type == PropType::Prompt || p->type == PropType::Comment || p->type == PropType::Menu) {
      out_ += ' ';
      text(p->text);
    }
    out_ += " EXPR ";
    expr(p->expr);
    out_ += " IF ";
    expr(p->visible);
    out_ += '\n';
  }

  void flags(const Symbol* s) {
    if (s->is_const()) out_ += " CONST";
    if (s->is_choice()) out_ += " CHOICE";
    if (s->is_choice_value()) out_ += " CHOICEVAL";
    if (legacy() && s->is_optional()) out_ += " OPTIONAL";
    if (legacy() && (s->flags & kSymNoWrite)) out_ += " NO_WRITE";
    if (s->flags & kSymAllNoConfigY) out_ += " ALLNOCONFIG_Y";
  }

  void menus(const Menu* m, int depth) {
    for (; m; m = m->next) {
      out_ += "MENU " + std::to_string(depth) + " " +
              (m->file ? m->file->name : std::string("<none>")) + ":" + std::to_string(m->line);
      if (m->sym) {
        out_ += " SYM ";
        sym(m->sym);
        out_ += std::string(" ") + kTypes[static_cast<int>(m->sym->type)];
        flags(m->sym);
      }
      out_ += '\n';
      if (m->dep) {
        out_ += " DEP ";
        expr(m->dep);
        out_ += '\n';
      }
      if (m->visibility) {
        out_ += " VIS ";
        expr(m->visibility);
        out_ += '\n';
      }
      if (m->prompt) prop("PROMPT", m->prompt);
      if (m->has_help) {
        out_ += " HELP ";
        text(std::string(m->help));
        out_ += '\n';
      }
      if (m->sym) {
        for (const Property* p = m->sym->props; p; p = p->next)
          if (p->menu == m) prop("PROP", p);
      }
      if (!legacy() && m->sym && !m->sym->has_name) {
        out_ += " MEMBERS";
        for (const Symbol* c : m->choice_members) {
          out_ += ' ';
          sym(c);
        }
        out_ += '\n';
      }
      if (m->list) menus(m->list, depth + 1);
    }
  }

  static constexpr const char* kTypes[] = {"unknown", "bool", "tristate", "int", "hex", "string"};
  const Tree& tree_;
  std::string out_;
};

inline std::string dump_tree(const Tree& tree) {
  return TreeDump(tree).str();
}

}  // namespace rk::kconfig::testing
