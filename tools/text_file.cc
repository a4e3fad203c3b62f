#include "tools/text_file.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <filesystem>
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

void check_output_path(const std::string& option, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  std::error_code ec;
  IPAQ_CHECK(p.has_filename() && !fs::is_directory(p, ec), IoError, option, " ", path,
             ": is a directory, expected a file name");
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  IPAQ_CHECK(fs::is_directory(dir, ec), IoError, option, " ", path, ": directory ", dir.string(),
             " does not exist");
  IPAQ_CHECK(::access(dir.c_str(), W_OK) == 0, IoError, option, " ", path, ": directory ", dir.string(),
             " is not writable");
}

}  // namespace ipaq::cli
