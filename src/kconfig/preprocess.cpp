#include "kconfig/preprocess.hpp"

#include <array>

namespace rk::kconfig {

namespace {

// preprocess.c: a variable already being expanded may be entered again (with arguments) while
// its count of active expansions is at most 1000.
constexpr int kMaxActiveExpansions = 1000;
// preprocess.c: FUNCTION_MAX_ARGS, counting the function name.
constexpr size_t kMaxClauseParts = 16;

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The argument number a clause names, as conf decides it: strtoul() must consume the whole
// clause (leading blanks and a sign allowed) and give 1..argc. 0 means "not an argument".
size_t argument_index(std::string_view clause, size_t argc) {
  size_t i = 0;
  while (i < clause.size() && is_c_space(clause[i])) ++i;
  bool negative = false;
  if (i < clause.size() && (clause[i] == '+' || clause[i] == '-')) negative = clause[i++] == '-';
  size_t first_digit = i;
  size_t n = 0;
  bool huge = false;
  for (; i < clause.size() && clause[i] >= '0' && clause[i] <= '9'; ++i) {
    n = n * 10 + static_cast<size_t>(clause[i] - '0');
    if (n > 1000000) huge = true;  // far beyond any argc (at most 15)
  }
  if (i == first_digit || i != clause.size()) return 0;
  if (huge || n == 0 || negative || n > argc) return 0;  // strtoul("-N") is huge
  return n;
}

struct Builtin {
  const char* name;
  size_t min_args;
  size_t max_args;
};

constexpr std::array<Builtin, 6> kBuiltins = {{
    {"error-if", 2, 2},
    {"filename", 0, 0},
    {"info", 1, 1},
    {"lineno", 0, 0},
    {"shell", 1, 1},
    {"warning-if", 2, 2},
}};

// Keeps a counter raised for the lifetime of a scope, exceptions included.
class Raise {
 public:
  explicit Raise(int& counter) : counter_(counter) { ++counter_; }
  ~Raise() { --counter_; }
  Raise(const Raise&) = delete;
  Raise& operator=(const Raise&) = delete;

 private:
  int& counter_;
};

}  // namespace

Preprocessor::Preprocessor(MacroEnvironment menv, const MacroLocation& where)
    : menv_(std::move(menv)), where_(where) {}

std::string Preprocessor::where() const {
  return std::string(where_.macro_file()) + ":" + std::to_string(where_.macro_line());
}

void Preprocessor::fail(const std::string& message) const {
  throw KconfigError(where() + ": " + message);
}

// Beyond conf: bounds on expansion sizes (see ParseLimits).
void Preprocessor::charge(size_t result_bytes, size_t added_bytes) {
  if (result_bytes > menv_.limits.expansion_bytes)
    fail("macro expansion is larger than " + std::to_string(menv_.limits.expansion_bytes) +
         " bytes");
  total_bytes_ += added_bytes;
  if (total_bytes_ > menv_.limits.total_expansion_bytes)
    fail("macro expansions exceed " + std::to_string(menv_.limits.total_expansion_bytes) +
         " bytes in total");
}

std::string Preprocessor::expand_dollar(std::string_view text, size_t& pos) {
  return expand_reference(text, pos, Args{});
}

std::string Preprocessor::expand_token(std::string_view text, size_t& pos) {
  return expand(text, pos, StopAt::EndOfWord, Args{});
}

// Copies text up to the stop condition, replacing each "$..." by its expansion. conf works on
// C strings, so a NUL byte ends the text as well.
std::string Preprocessor::expand(std::string_view text, size_t& pos, StopAt stop,
                                 const Args& args) {
  std::string out;
  size_t plain_start = pos;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '$') {
      size_t plain = pos - plain_start;
      out.append(text, plain_start, plain);
      ++pos;
      std::string value = expand_reference(text, pos, args);
      out += value;
      charge(out.size(), plain + value.size());
      plain_start = pos;
      continue;
    }
    if (c == '\0' || (stop == StopAt::EndOfWord && !is_word_char(c))) break;
    ++pos;
  }
  out.append(text, plain_start, pos - plain_start);
  charge(out.size(), pos - plain_start);
  return out;
}

// `pos` is just past a '$'. Only "$(...)" is a reference; a lone '$' stands for itself.
std::string Preprocessor::expand_reference(std::string_view text, size_t& pos, const Args& args) {
  if (pos >= text.size() || text[pos] != '(') return "$";
  size_t body = pos + 1;
  size_t end = body;
  int nest = 0;
  for (; end < text.size() && text[end] != '\0'; ++end) {
    if (text[end] == '(') {
      ++nest;
    } else if (text[end] == ')') {
      if (nest-- == 0) break;
    }
  }
  if (end >= text.size() || text[end] != ')') {
    std::string_view rest = text.substr(body, end - body);
    fail("unterminated reference to '" + std::string(rest) + "': missing ')'");
  }
  pos = end + 1;
  Raise nesting(depth_);
  if (depth_ > menv_.limits.macro_nesting) fail("Too deep recursive expansion");
  return evaluate(text.substr(body, end - body), args);
}

// The text between "$(" and ")": an argument reference like $(1), or a name followed by
// comma-separated arguments (commas inside nested parentheses don't split).
std::string Preprocessor::evaluate(std::string_view clause, const Args& args) {
  if (++evaluations_ > menv_.limits.macro_evaluations)
    fail("macro expansion did not finish after " + std::to_string(menv_.limits.macro_evaluations) +
         " references");
  if (size_t n = argument_index(clause, args.size())) return args[n - 1];

  std::vector<std::string_view> parts;
  int nest = 0;
  size_t start = 0;
  for (size_t i = 0; i < clause.size(); ++i) {
    char c = clause[i];
    if (c == ',' && nest == 0) {
      parts.push_back(clause.substr(start, i - start));
      start = i + 1;
      if (parts.size() >= kMaxClauseParts) fail("too many function arguments");
    } else if (c == '(') {
      ++nest;
    } else if (c == ')') {
      --nest;
    }
  }
  parts.push_back(clause.substr(start));

  // The name and then every argument are expanded, left to right, before anything is called.
  size_t p = 0;
  std::string name = expand(parts[0], p, StopAt::EndOfText, args);
  Args call_args;
  call_args.reserve(parts.size() - 1);
  for (size_t i = 1; i < parts.size(); ++i) {
    p = 0;
    call_args.push_back(expand(parts[i], p, StopAt::EndOfText, args));
  }

  std::string out;
  if (expand_variable(name, call_args, out)) return out;
  if (call_builtin(name, call_args, out)) return out;
  if (call_args.empty() && read_environment(name, out)) return out;
  return {};
}

bool Preprocessor::expand_variable(const std::string& name, const Args& args, std::string& out) {
  auto it = vars_.find(name);
  if (it == vars_.end()) return false;
  Variable& v = it->second;
  if (args.empty() && v.active)
    fail("Recursive variable '" + name + "' references itself (eventually)");
  if (v.active > kMaxActiveExpansions) fail("Too deep recursive expansion");
  Raise active(v.active);
  if (v.flavor == VarFlavor::Recursive) {
    size_t p = 0;
    out = expand(v.value, p, StopAt::EndOfText, args);
  } else {
    out = v.value;
  }
  return true;
}

bool Preprocessor::call_builtin(const std::string& name, const Args& args, std::string& out) {
  const Builtin* fn = nullptr;
  for (const Builtin& b : kBuiltins)
    if (name == b.name) fn = &b;
  if (!fn) return false;
  if (args.size() < fn->min_args) fail("too few function arguments passed to '" + name + "'");
  if (args.size() > fn->max_args) fail("too many function arguments passed to '" + name + "'");

  out.clear();
  std::string_view which = fn->name;
  if (which == "error-if") {
    if (args[0] == "y") fail(args[1]);
  } else if (which == "filename") {
    out = where_.macro_file();
  } else if (which == "info") {
    if (menv_.info) menv_.info(args[0]);
  } else if (which == "lineno") {
    out = std::to_string(where_.macro_line());
  } else if (which == "shell") {
    out = run_shell(args[0]);
  } else if (which == "warning-if") {
    if (args[0] == "y" && menv_.diag) menv_.diag->emit(where() + ": " + args[1]);
  }
  return true;
}

bool Preprocessor::read_environment(const std::string& name, std::string& out) {
  if (name.empty()) return false;
  // Once read, a variable keeps the value conf recorded for auto.conf.cmd.
  if (auto seen = env_seen_.find(name); seen != env_seen_.end()) {
    out = seen->second;
    return true;
  }
  if (!menv_.env) return false;
  auto it = menv_.env->find(name);
  if (it == menv_.env->end()) {
    if (menv_.env_unset) menv_.env_unset->push_back(name);
    return false;
  }
  env_seen_.emplace(name, it->second);
  if (menv_.env_used) menv_.env_used->emplace_back(name, it->second);
  out = it->second;
  return true;
}

std::string Preprocessor::run_shell(const std::string& command) {
  static const Environment kEmpty;
  std::string out = menv_.shell
                        ? menv_.shell->run(command, menv_.env ? *menv_.env : kEmpty, menv_.cwd)
                        : std::string();
  // The output is used as a C string from here on.
  if (size_t nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
  return out;
}

void Preprocessor::assign(const std::string& name, const std::string& value, VarFlavor flavor) {
  auto it = vars_.find(name);
  bool append = false;
  if (it != vars_.end() && flavor == VarFlavor::Append) {
    flavor = it->second.flavor;
    append = true;
  } else if (flavor == VarFlavor::Append) {
    // '+=' on an undefined variable makes a recursive one.
    flavor = VarFlavor::Recursive;
  }

  // A simple variable's value is expanded now. conf frees the old value before expanding the
  // new one, so "X := $(X) ..." reads freed memory there; we let it see the old value, as
  // make does.
  std::string new_value;
  if (flavor == VarFlavor::Simple) {
    size_t p = 0;
    new_value = expand(value, p, StopAt::EndOfText, Args{});
  } else {
    new_value = value;
  }

  Variable& v = vars_[name];
  v.flavor = flavor;
  if (append) {
    charge(v.value.size() + 1 + new_value.size(), 0);
    v.value += ' ';
    v.value += new_value;
  } else {
    v.value = std::move(new_value);
  }
}

}  // namespace rk::kconfig
