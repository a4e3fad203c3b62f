#include "tools/args.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "lib/core/error.h"

namespace ipaq::cli {

bool ParsedArgs::has(const std::string& name) const {
  auto f = flags_.find(name);
  if (f != flags_.end()) return f->second;
  auto v = values_.find(name);
  return v != values_.end() && !v->second.empty();
}

const std::string& ParsedArgs::get(const std::string& name) const {
  auto v = values_.find(name);
  IPAQ_CHECK_ARG(v != values_.end() && !v->second.empty(), "option ", name, " is required here");
  return v->second.front();
}

const std::vector<std::string>& ParsedArgs::get_list(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  auto v = values_.find(name);
  return v == values_.end() ? kEmpty : v->second;
}

int64_t ParsedArgs::parse_int(const std::string& name, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  IPAQ_CHECK_ARG(!value.empty() && end == value.c_str() + value.size() && errno == 0, "option ", name,
                 " expects an integer, got '", value, "'");
  return v;
}

double ParsedArgs::parse_double(const std::string& name, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  IPAQ_CHECK_ARG(!value.empty() && end == value.c_str() + value.size() && errno == 0 && std::isfinite(v),
                 "option ", name, " expects a number, got '", value, "'");
  return v;
}

int64_t ParsedArgs::parse_int_in(const std::string& name, const std::string& value, int64_t lo, int64_t hi) {
  const int64_t v = parse_int(name, value);
  IPAQ_CHECK_ARG(v >= lo && v <= hi, "option ", name, " must be in [", lo, ", ", hi, "], got ", v);
  return v;
}

double ParsedArgs::parse_double_in(const std::string& name, const std::string& value, double lo, double hi) {
  const double v = parse_double(name, value);
  IPAQ_CHECK_ARG(v >= lo && v <= hi, "option ", name, " must be in [", lo, ", ", hi, "], got ", v);
  return v;
}

int64_t ParsedArgs::get_int(const std::string& name) const { return parse_int(name, get(name)); }

int64_t ParsedArgs::get_int_in(const std::string& name, int64_t lo, int64_t hi) const {
  return parse_int_in(name, get(name), lo, hi);
}

double ParsedArgs::get_double_in(const std::string& name, double lo, double hi) const {
  return parse_double_in(name, get(name), lo, hi);
}

int64_t ParsedArgs::get_int_or(const std::string& name, int64_t lo, int64_t hi, int64_t absent) const {
  return has(name) ? get_int_in(name, lo, hi) : absent;
}

double ParsedArgs::get_double(const std::string& name) const { return parse_double(name, get(name)); }

bool ParsedArgs::flag(const std::string& name) const {
  auto f = flags_.find(name);
  return f != flags_.end() && f->second;
}

ArgParser::ArgParser(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

ArgParser& ArgParser::add(Spec spec) {
  IPAQ_CHECK_ARG(find(spec.name) == nullptr, "option ", spec.name, " declared twice");
  specs_.push_back(std::move(spec));
  return *this;
}

ArgParser& ArgParser::option(const std::string& name, const std::string& value_name,
                             const std::string& help, const std::string& default_value) {
  return add({name, value_name, help, default_value, Kind::kOption});
}

ArgParser& ArgParser::required(const std::string& name, const std::string& value_name,
                               const std::string& help) {
  return add({name, value_name, help, "", Kind::kRequired});
}

ArgParser& ArgParser::list(const std::string& name, const std::string& value_name, const std::string& help) {
  return add({name, value_name, help, "", Kind::kList});
}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help) {
  return add({name, "", help, "", Kind::kFlag});
}

const ArgParser::Spec* ArgParser::find(const std::string& name) const {
  for (const Spec& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

ParsedArgs ArgParser::parse(const std::vector<std::string>& args) const {
  ParsedArgs out;
  const std::string see_help = " (see " + usage_.substr(0, usage_.find(" [")) + " --help)";
  for (size_t i = 0; i < args.size(); ++i) {
    std::string token = args[i];
    if (token == "--help" || token == "-h") {
      out.help_ = true;
      return out;
    }
    std::string inline_value;
    bool has_inline = false;
    if (const size_t eq = token.find('='); token.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = token.substr(eq + 1);
      token = token.substr(0, eq);
      has_inline = true;
    }
    const Spec* spec = find(token);
    IPAQ_CHECK_ARG(spec != nullptr, token.empty() || token[0] != '-' ? "unexpected argument '" : "unknown option '",
                   token, "'", see_help);
    if (spec->kind == Kind::kFlag) {
      IPAQ_CHECK_ARG(!has_inline, "option ", token, " takes no value");
      out.flags_[token] = true;
      continue;
    }
    std::vector<std::string>& values = out.values_[token];
    IPAQ_CHECK_ARG(spec->kind == Kind::kList || values.empty(), "option ", token, " given more than once");
    if (has_inline) {
      values.push_back(inline_value);
    } else {
      IPAQ_CHECK_ARG(i + 1 < args.size() && find(args[i + 1]) == nullptr && args[i + 1] != "--help",
                     "option ", token, " needs a value (", spec->value_name, ")");
      values.push_back(args[++i]);
    }
    if (spec->kind == Kind::kList) {
      while (i + 1 < args.size() && find(args[i + 1]) == nullptr && args[i + 1].rfind("--", 0) != 0) {
        values.push_back(args[++i]);
      }
    }
  }
  for (const Spec& s : specs_) {
    if (s.kind == Kind::kRequired) {
      IPAQ_CHECK_ARG(out.has(s.name), "missing required option ", s.name, " ", s.value_name, see_help);
    } else if (s.kind == Kind::kOption && !s.default_value.empty() && !out.has(s.name)) {
      out.values_[s.name] = {s.default_value};
    }
  }
  return out;
}

std::string ArgParser::help() const {
  std::ostringstream os;
  os << "usage: " << usage_ << "\n\n" << description_ << "\n\noptions:\n";
  for (const Spec& s : specs_) {
    std::string left = s.name;
    if (s.kind != Kind::kFlag) left += " " + s.value_name;
    if (s.kind == Kind::kList) left += "...";
    os << "  " << left;
    os << std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') << s.help;
    if (s.kind == Kind::kRequired) os << " (required)";
    if (!s.default_value.empty()) os << " (default " << s.default_value << ")";
    os << "\n";
  }
  os << "  --help                  show this help\n";
  return os.str();
}

std::optional<ParsedArgs> parse_or_print_help(const ArgParser& parser, const std::vector<std::string>& argv) {
  ParsedArgs args = parser.parse(argv);
  if (args.help_requested()) {
    std::fputs(parser.help().c_str(), stdout);
    return std::nullopt;
  }
  return args;
}

}  // namespace ipaq::cli
