#include "kconfig/conf_forms.hpp"

#include <string>
#include <vector>

#include "kconfig/diagnostics.hpp"

namespace rk::kconfig {

std::string too_complex_at(const Menu* m) {
  return (m->file ? m->file->name : std::string("<none>")) + ":" + std::to_string(m->line) +
         ": error: dependencies too complex to simplify";
}

// An entry's conf_dep and its properties' conf_visible, from its conf_parent's (built first
// when needed). conf copies the parent's simplified dependency and simplifies the copy again;
// that one is a fixed point of eliminate_dups, so without an own condition the result is the
// same expression, and (conf forms being never modified once built) it is shared.
void ConfForms::build_entry(ExprSimplifier& x, Menu* entry, const Menu*& at) {
  std::vector<Menu*> chain;
  for (Menu* m = entry; m && !(m->conf_state & kMenuConfReady); m = m->conf_parent) {
    chain.push_back(m);
    if (m->conf_state & kMenuConfFromChoice) break;
  }
  for (size_t i = chain.size(); i-- > 0;) {
    Menu* m = chain[i];
    at = m;
    Expr* parent_conf = nullptr;
    if (m->conf_parent)
      parent_conf = (m->conf_state & kMenuConfFromChoice) ? x.new_sym(m->conf_parent->sym)
                                                          : m->conf_parent->conf_dep;
    Expr* own = m->conf_dep;
    Expr* cbase = parent_conf;
    if (own) {
      cbase = x.transform(x.copy(own));
      cbase = x.eliminate_dups(x.new_and(x.copy(parent_conf), cbase));
    }
    m->conf_dep = cbase;
    for (Property* p = m->sym ? m->sym->props : m->prompt; p; p = p->next) {
      if (p->menu != m) continue;
      Expr* own_vis = p->conf_visible;
      Expr* cdep = cbase;
      if (own_vis) {
        cdep = x.transform(x.copy(own_vis));
        cdep = x.eliminate_dups(x.new_and(x.copy(cbase), cdep));
      }
      p->conf_visible = cdep;
    }
    m->conf_state |= kMenuConfReady;
  }
}

// Every step finalize recorded, in its order.
void ConfForms::build_all(Tree& t) {
  size_t work = 0;
  ExprSimplifier x(t, &t);
  x.set_work_limit(&work, t.conf_work_limit_);
  const Menu* at = nullptr;
  try {
    for (const Tree::ConfStep& step : t.conf_steps_) {
      Menu* m = step.menu;
      at = m;
      switch (step.kind) {
        case Tree::ConfStep::Entry:
          build_entry(x, m, at);
          // Selects and implies become reverse dependencies of their targets.
          for (Property* p = m->sym ? m->sym->props : nullptr; p; p = p->next) {
            if (p->menu != m) continue;
            if (p->type == PropType::Select) {
              Symbol* target = p->expr->lsym;
              target->conf_rev_dep =
                  x.new_or(target->conf_rev_dep, x.new_and(x.new_sym(m->sym), p->conf_visible));
            } else if (p->type == PropType::Imply) {
              Symbol* target = p->expr->lsym;
              target->conf_implied =
                  x.new_or(target->conf_implied, x.new_and(x.new_sym(m->sym), p->conf_visible));
            }
          }
          break;
        case Tree::ConfStep::DirDep:
          m->sym->conf_dir_dep = x.new_or(m->sym->conf_dir_dep, m->conf_dep);
          break;
        case Tree::ConfStep::ChoiceMember: {
          // A bool member of a tristate choice is only possible while the choice is y.
          Expr* is_y = x.new_cmp(ExprKind::Equal, m->sym->choice_sym, t.sym_yes);
          m->conf_dep = x.new_and(is_y, m->conf_dep);
          for (Property* p = m->sym->props; p; p = p->next)
            if (p->menu == m) p->conf_visible = x.new_and(x.copy(is_y), p->conf_visible);
          break;
        }
        case Tree::ConfStep::ChoiceRevDep:
          m->sym->conf_rev_dep = x.new_or(m->sym->conf_rev_dep,
                                          x.new_and(m->prompt->conf_visible, x.new_sym(t.sym_mod)));
          break;
      }
    }
  } catch (const ExprTooComplex&) {
    t.conf_error_ = too_complex_at(at ? at : &t.root);
  }
  t.conf_steps_.clear();
  t.conf_steps_.shrink_to_fit();
}

void ConfForms::record(Tree& t, Menu* m, Tree::ConfStep::Kind kind) {
  t.conf_steps_.push_back({m, kind});
}
void ConfForms::set_work_limit(Tree& t, size_t limit) {
  t.conf_work_limit_ = limit;
}

void Tree::ensure_conf_forms() const {
  std::call_once(conf_once_, [this] { ConfForms::build_all(const_cast<Tree&>(*this)); });
  if (!conf_error_.empty()) throw KconfigError(conf_error_);
}

}  // namespace rk::kconfig
