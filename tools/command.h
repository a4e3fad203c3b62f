// Subcommand registry of the `ipaq` executable.
//
// Each tools/cmd_<name>.cc defines one subcommand and registers it with a file-scope
//   static const ipaq::cli::Registration kReg{"name", "one-line summary", &run};
// run() receives the arguments after the subcommand name, returns the exit code, and may throw: main()
// prints what() of any exception as "ipaq <name>: error: ..." and exits 1. `--help` is handled by each
// command (print usage, return 0).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ipaq::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct CommandInfo {
  std::string summary;
  CommandFn run;
};

std::map<std::string, CommandInfo>& command_registry();

struct Registration {
  Registration(const char* name, const char* summary, CommandFn run) {
    command_registry()[name] = CommandInfo{summary, run};
  }
};

}  // namespace ipaq::cli
