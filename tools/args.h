// ArgParser: the strict command-line parser shared by every `ipaq` subcommand.
//
// A command declares its options, then parses the arguments that follow its name:
//
//   ArgParser parser("ipaq search", "Searches a database.");
//   parser.required("--db", "DIR", "database directory");
//   parser.option("-k", "K", "neighbours per query", "10");
//   parser.list("--index", "DESC", "index descriptor (repeatable)");
//   parser.flag("--json", "print JSON");
//   const auto args = parse_or_print_help(parser, argv_tail);   // prints --help, returns nullopt
//   if (!args) return 0;
//   int64_t k = args->get_int_in("-k", 1, 1 << 20);
//
// Syntax: `--name value`, `--name=value`; a list option collects every occurrence and, in addition,
// every following token that is not itself a declared option (`--index A B --index C` gives A, B, C).
// There are no positional arguments. Errors (ipaq::InvalidArgument, message naming the option): an
// unknown option, a missing value, a flag given a value, a single-valued option given twice, a missing
// required option, and a value that is not a number where get_int()/get_double() expect one.
// Not thread-safe; plain value types.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipaq::cli {

// Upper limits of the numeric options every command shares (-k, --nprobe; --nb, --nq, --train-size).
inline constexpr int64_t kMaxK = 1 << 20;
inline constexpr int64_t kMaxRows = int64_t{1} << 40;
// --seed: non-negative (a negative seed would wrap to a huge unsigned one that cannot be typed back).
inline constexpr int64_t kMaxSeed = std::numeric_limits<int64_t>::max();

class ParsedArgs {
 public:
  bool help_requested() const { return help_; }
  // True if the option or flag was given on the command line (or has a default, for options).
  bool has(const std::string& name) const;
  // The option's value (its default if absent); InvalidArgument if absent with no default.
  const std::string& get(const std::string& name) const;
  // Every value of a list option (empty if absent).
  const std::vector<std::string>& get_list(const std::string& name) const;
  // Strict conversions: the whole value must parse; InvalidArgument names the option otherwise.
  int64_t get_int(const std::string& name) const;
  double get_double(const std::string& name) const;
  // get_int / get_double, also checked to lie in [lo, hi] (InvalidArgument "option N must be in ...").
  int64_t get_int_in(const std::string& name, int64_t lo, int64_t hi) const;
  double get_double_in(const std::string& name, double lo, double hi) const;
  // get_int_in(name, lo, hi) if the option was given, else `absent`.
  int64_t get_int_or(const std::string& name, int64_t lo, int64_t hi, int64_t absent) const;
  bool flag(const std::string& name) const;

  static int64_t parse_int(const std::string& name, const std::string& value);
  static double parse_double(const std::string& name, const std::string& value);
  static int64_t parse_int_in(const std::string& name, const std::string& value, int64_t lo, int64_t hi);
  static double parse_double_in(const std::string& name, const std::string& value, double lo, double hi);

 private:
  friend class ArgParser;
  bool help_ = false;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, bool> flags_;
};

class ArgParser {
 public:
  ArgParser(std::string usage, std::string description);

  // A single-valued option; `default_value` empty = no default.
  ArgParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                    const std::string& default_value = "");
  // A single-valued option that must be given.
  ArgParser& required(const std::string& name, const std::string& value_name, const std::string& help);
  // A repeatable option collecting a list of values.
  ArgParser& list(const std::string& name, const std::string& value_name, const std::string& help);
  // A boolean switch without a value.
  ArgParser& flag(const std::string& name, const std::string& help);

  ParsedArgs parse(const std::vector<std::string>& args) const;
  // The --help text: usage line, description, one line per option.
  std::string help() const;

 private:
  enum class Kind { kOption, kRequired, kList, kFlag };
  struct Spec {
    std::string name, value_name, help, default_value;
    Kind kind;
  };
  ArgParser& add(Spec spec);
  const Spec* find(const std::string& name) const;

  std::string usage_, description_;
  std::vector<Spec> specs_;
};

// The usual start of a command's run(): parses argv; on --help prints parser.help() to stdout and
// returns std::nullopt (the command then returns 0).
std::optional<ParsedArgs> parse_or_print_help(const ArgParser& parser, const std::vector<std::string>& argv);

}  // namespace ipaq::cli
