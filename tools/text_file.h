// write_text_file: creates or replaces `path` with `contents`; ipaq::IoError naming the path on failure.
#pragma once

#include <string>

namespace ipaq::cli {

void write_text_file(const std::string& path, const std::string& contents);

}  // namespace ipaq::cli
