// libFuzzer target for ipaq::read_index_bytes (built only with clang: see tests/index/CMakeLists.txt).
//
// The first input byte picks the mode: even → the input is passed as a whole file (exercises the header,
// length and CRC checks); odd → the rest is wrapped in a valid header with a correct CRC, so the node
// parser itself sees arbitrary bytes. Any ipaq::Error is an accepted outcome; crashes, sanitizer reports
// and other exception types are findings. Embedded FAISS bytes reach FAISS 1.7.3's reader, which leaks
// when it throws: run with -detect_leaks=0 to keep the fuzzer on ipaq's code.
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "index/index_io.h"
#include "lib/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes;
  if (data[0] % 2 == 0) {
    bytes.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    const uint64_t length = size - 1;
    const uint32_t version = 1;
    const uint32_t crc = static_cast<uint32_t>(crc32_z(0L, data + 1, length));
    bytes.append("IPAQ", 4);
    bytes.append(reinterpret_cast<const char*>(&version), 4);
    bytes.append(reinterpret_cast<const char*>(&length), 8);
    bytes.append(reinterpret_cast<const char*>(&crc), 4);
    bytes.append(reinterpret_cast<const char*>(data + 1), length);
  }
  try {
    ipaq::read_index_bytes(bytes);
  } catch (const ipaq::Error&) {
  }
  return 0;
}
