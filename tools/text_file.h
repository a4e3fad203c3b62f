// write_text_file: creates or replaces `path` with `contents`; ipaq::IoError naming the path on failure.
// check_output_path: before any work, that a file can later be written at `path` (given as `option`):
// its directory exists and is writable and `path` is not a directory; nothing is created. IoError
// "OPTION PATH: ..." otherwise.
#pragma once

#include <string>

namespace ipaq::cli {

void write_text_file(const std::string& path, const std::string& contents);
void check_output_path(const std::string& option, const std::string& path);

}  // namespace ipaq::cli
