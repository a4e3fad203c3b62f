#include "storage/store_meta.h"

#include "lib/core/byte_stream.h"
#include "lib/core/error.h"

namespace ipaq::storage {

namespace {
constexpr char kHeaderTag[4] = {'I', 'Q', 'S', 'H'};
constexpr char kCountTag[4] = {'I', 'Q', 'S', 'C'};
}  // namespace

std::string encode_header(const StoreHeader& header) {
  ByteWriter w;
  w.put_bytes(kHeaderTag, 4);
  w.put<uint32_t>(header.format_version);
  w.put<uint64_t>(header.dim);
  w.put<int32_t>(header.metric);
  w.put_string(header.descriptor);
  w.put<uint64_t>(header.seed);
  w.put<uint8_t>(header.keep_raw ? 1 : 0);
  w.put<uint64_t>(header.code_size);
  return w.take();
}

StoreHeader decode_header(std::string_view bytes) {
  ByteReader r(bytes, "durable index meta 'header'");
  r.expect_tag(kHeaderTag);
  StoreHeader h;
  h.format_version = r.get<uint32_t>();
  IPAQ_CHECK_FORMAT(h.format_version == kStoreFormatVersion, "durable index format version ", h.format_version,
                    " is not supported (this build reads version ", kStoreFormatVersion, ")");
  h.dim = r.get<uint64_t>();
  h.metric = r.get<int32_t>();
  h.descriptor = r.get_string(4096);
  h.seed = r.get<uint64_t>();
  const auto keep_raw = r.get<uint8_t>();
  IPAQ_CHECK_FORMAT(keep_raw <= 1, "durable index meta 'header': keep_raw flag ", int(keep_raw), " is not 0/1");
  h.keep_raw = keep_raw == 1;
  h.code_size = r.get<uint64_t>();
  r.expect_end();
  IPAQ_CHECK_FORMAT(h.dim > 0 && h.dim <= (1u << 20), "durable index meta 'header': dimension ", h.dim,
                    " out of range");
  return h;
}

std::string encode_count(uint64_t count) {
  ByteWriter w;
  w.put_bytes(kCountTag, 4);
  w.put<uint64_t>(count);
  return w.take();
}

uint64_t decode_count(std::string_view bytes) {
  ByteReader r(bytes, "durable index meta 'count'");
  r.expect_tag(kCountTag);
  const auto count = r.get<uint64_t>();
  r.expect_end();
  return count;
}

}  // namespace ipaq::storage
