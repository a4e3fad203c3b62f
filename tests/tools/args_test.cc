// Tests of tools/args.h: the strict parser shared by every `ipaq` subcommand.
#include "tools/args.h"

#include <gtest/gtest.h>

#include "lib/core/error.h"

namespace ipaq::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("ipaq demo [options]", "A demo command.");
  p.required("--base", "FILE", "base vectors")
      .option("-k", "K", "neighbours", "10")
      .option("--nq", "N", "queries")
      .list("--index", "DESC", "descriptors")
      .flag("--json", "JSON output");
  return p;
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    make_parser().parse(args);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(ArgsTest, ParsesValuesDefaultsListsAndFlags) {
  const ParsedArgs a =
      make_parser().parse({"--base", "x.fvecs", "--index", "A", "B", "--json", "--index=C", "-k", "-3"});
  EXPECT_EQ(a.get("--base"), "x.fvecs");
  EXPECT_EQ(a.get_list("--index"), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_TRUE(a.flag("--json"));
  EXPECT_EQ(a.get_int("-k"), -3);
  EXPECT_FALSE(a.has("--nq"));
  EXPECT_FALSE(a.help_requested());

  const ParsedArgs defaults = make_parser().parse({"--base=y"});
  EXPECT_EQ(defaults.get_int("-k"), 10);
  EXPECT_FALSE(defaults.flag("--json"));
  EXPECT_TRUE(defaults.get_list("--index").empty());
}

TEST(ArgsTest, HelpWinsOverMissingRequiredOptions) {
  EXPECT_TRUE(make_parser().parse({"--help"}).help_requested());
  EXPECT_TRUE(make_parser().parse({"-k", "3", "-h"}).help_requested());
  const std::string help = make_parser().help();
  EXPECT_NE(help.find("--base FILE"), std::string::npos);
  EXPECT_NE(help.find("(required)"), std::string::npos);
  EXPECT_NE(help.find("--index DESC..."), std::string::npos);
  EXPECT_NE(help.find("(default 10)"), std::string::npos);
}

TEST(ArgsTest, RejectsBadCommandLines) {
  EXPECT_NE(error_of({"--base", "x", "--bogus", "1"}).find("unknown option '--bogus'"), std::string::npos);
  EXPECT_NE(error_of({"--base", "x", "stray"}).find("unexpected argument 'stray'"), std::string::npos);
  EXPECT_NE(error_of({"--base"}).find("--base needs a value"), std::string::npos);
  EXPECT_NE(error_of({"--base", "-k", "3"}).find("--base needs a value"), std::string::npos);
  EXPECT_NE(error_of({"-k", "3"}).find("missing required option --base"), std::string::npos);
  EXPECT_NE(error_of({"--base", "x", "--base", "y"}).find("more than once"), std::string::npos);
  EXPECT_NE(error_of({"--base", "x", "--json=1"}).find("takes no value"), std::string::npos);
}

TEST(ArgsTest, NumbersAreParsedStrictly) {
  const ParsedArgs a = make_parser().parse({"--base", "x", "-k", "12abc", "--nq", "1e3"});
  EXPECT_THROW(a.get_int("-k"), InvalidArgument);
  EXPECT_EQ(a.get_double("--nq"), 1000.0);
  EXPECT_THROW(a.get_int("--nq"), InvalidArgument);
  EXPECT_THROW(ParsedArgs::parse_double("--x", "nan"), InvalidArgument);
  EXPECT_THROW(ParsedArgs::parse_int("--x", "99999999999999999999"), InvalidArgument);
  EXPECT_THROW(ParsedArgs::parse_int("--x", ""), InvalidArgument);
}

TEST(ArgsTest, RangeCheckedGetters) {
  const ParsedArgs a = make_parser().parse({"--base", "x", "-k", "5", "--nq", "0.5"});
  EXPECT_EQ(a.get_int_in("-k", 1, 5), 5);
  EXPECT_THROW(a.get_int_in("-k", 6, 9), InvalidArgument);
  EXPECT_EQ(a.get_int_or("--index", 1, 9, 42), 42);  // absent → the fallback, unchecked
  EXPECT_DOUBLE_EQ(a.get_double_in("--nq", 0, 1), 0.5);
  try {
    a.get_double_in("--nq", 1, 2);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("option --nq must be in [1, 2], got 0.5"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(parse_or_print_help(make_parser(), {"--help"}).has_value());
  EXPECT_EQ(parse_or_print_help(make_parser(), {"--base", "y"})->get("--base"), "y");
}

}  // namespace
}  // namespace ipaq::cli
