#include "tools/command.h"

namespace ipaq::cli {

std::map<std::string, CommandInfo>& command_registry() {
  static std::map<std::string, CommandInfo> registry;
  return registry;
}

}  // namespace ipaq::cli
