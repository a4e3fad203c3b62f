// Entry point of the `ipaq` command: dispatches to the registered subcommands (tools/cmd_*.cc).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "tools/command.h"

namespace {

void print_usage() {
  std::fprintf(stderr, "usage: ipaq <command> [options]   (ipaq <command> --help for details)\n\ncommands:\n");
  for (const auto& [name, info] : ipaq::cli::command_registry()) {
    std::fprintf(stderr, "  %-8s %s\n", name.c_str(), info.summary.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  auto& registry = ipaq::cli::command_registry();
  auto it = registry.find(name);
  if (it == registry.end()) {
    std::fprintf(stderr, "ipaq: error: unknown command '%s'\n", name.c_str());
    print_usage();
    return 2;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    return it->second.run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipaq %s: error: %s\n", name.c_str(), e.what());
    return 1;
  }
}
