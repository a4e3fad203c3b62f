// InputFile: a read-only file opened for one of the lib/io format readers, gzip-transparent.
//
// Internal to lib/io. Reads go through zlib's gzread, so a gzip-compressed file is decompressed on the
// fly and a plain file is read as is (compressed() tells which). Every read is exact: a short read
// throws ipaq::FormatError "<path>: truncated: ...", a corrupt gzip stream throws ipaq::FormatError, and a
// file that cannot be opened (missing, a directory, no permission) throws ipaq::IoError. Readers check
// sizes declared in headers against content_bound() before allocating. Not thread-safe; owns the handle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ipaq::io {

class InputFile {
 public:
  explicit InputFile(std::string path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  // Size on disk in bytes.
  uint64_t file_size() const { return file_size_; }
  bool compressed() const { return compressed_; }
  // Upper bound on the content bytes still unread: exact for plain files; for gzip the deflate limit
  // of 1032 output bytes per input byte.
  uint64_t content_bound() const;
  // Bytes of content consumed so far.
  uint64_t offset() const { return offset_; }

  // Reads exactly n bytes into dst; `what` names the field for the truncation message.
  void read_exact(void* dst, size_t n, const char* what);
  template <typename T>
  T read_value(const char* what) {
    T v;
    read_exact(&v, sizeof(T), what);
    return v;
  }
  // True if no content is left.
  bool at_end();
  // Throws FormatError unless the content is fully consumed ("unexpected trailing bytes").
  void expect_end(const char* format_name);
  // Throws FormatError if the file is gzip-compressed (formats whose size checks need the plain size).
  void require_uncompressed(const char* format_name) const;

 private:
  struct Handle;
  std::string path_;
  std::unique_ptr<Handle> handle_;
  uint64_t file_size_ = 0;
  uint64_t offset_ = 0;
  bool compressed_ = false;
};

}  // namespace ipaq::io
