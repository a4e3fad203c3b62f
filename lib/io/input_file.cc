#include "lib/io/input_file.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "lib/core/error.h"

namespace ipaq::io {

struct InputFile::Handle {
  gzFile gz = nullptr;
  ~Handle() {
    if (gz != nullptr) gzclose(gz);
  }
};

namespace {
// Deflate cannot expand more than ~1032:1, so a gzip file of c bytes holds at most 1032 * c bytes.
constexpr uint64_t kMaxDeflateRatio = 1032;
}  // namespace

InputFile::InputFile(std::string path) : path_(std::move(path)), handle_(std::make_unique<Handle>()) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    throw IoError(format_message(path_, ": cannot open: ", std::strerror(errno)));
  }
  IPAQ_CHECK(S_ISREG(st.st_mode), IoError, path_, ": cannot open: not a regular file");
  file_size_ = static_cast<uint64_t>(st.st_size);
  handle_->gz = gzopen(path_.c_str(), "rb");
  if (handle_->gz == nullptr) {
    throw IoError(format_message(path_, ": cannot open: ", std::strerror(errno)));
  }
  gzbuffer(handle_->gz, 1 << 17);
  compressed_ = gzdirect(handle_->gz) == 0;
}

InputFile::~InputFile() = default;

uint64_t InputFile::content_bound() const {
  const uint64_t total = compressed_ ? file_size_ * kMaxDeflateRatio : file_size_;
  return total > offset_ ? total - offset_ : 0;
}

void InputFile::read_exact(void* dst, size_t n, const char* what) {
  auto* out = static_cast<char*>(dst);
  size_t done = 0;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    const int got = gzread(handle_->gz, out + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(handle_->gz, &errnum);
      throw FormatError(format_message(path_, ": corrupt data while reading ", what, " at offset ",
                                       offset_ + done, ": ", msg));
    }
    if (got == 0) {
      throw FormatError(format_message(path_, ": truncated: reading ", what, " needs ", n,
                                       " bytes at offset ", offset_, " but the file ends after ", done));
    }
    done += static_cast<size_t>(got);
  }
  offset_ += n;
}

bool InputFile::at_end() {
  const int c = gzgetc(handle_->gz);
  if (c == -1) {
    int errnum = 0;
    const char* msg = gzerror(handle_->gz, &errnum);
    IPAQ_CHECK_FORMAT(errnum == Z_OK || errnum == Z_BUF_ERROR, path_, ": corrupt data at offset ",
                      offset_, ": ", msg);
    return true;
  }
  gzungetc(c, handle_->gz);
  return false;
}

void InputFile::expect_end(const char* format_name) {
  IPAQ_CHECK_FORMAT(at_end(), path_, ": unexpected trailing bytes after ", offset_,
                    " bytes of ", format_name, " data (corrupted, or the header is wrong)");
}

void InputFile::require_uncompressed(const char* format_name) const {
  IPAQ_CHECK_FORMAT(!compressed_, path_, ": gzip-compressed ", format_name,
                    " files are not supported; decompress it first");
}

}  // namespace ipaq::io
