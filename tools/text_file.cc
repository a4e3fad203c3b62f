#include "tools/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "lib/core/error.h"

namespace ipaq::cli {

void write_text_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(format_message(path, ": cannot create: ", std::strerror(errno)));
  out << contents;
  out.close();
  if (!out) throw IoError(format_message(path, ": write failed"));
}

}  // namespace ipaq::cli
