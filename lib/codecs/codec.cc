// Codec::serialize and deserialize_codec: the common header of every serialized codec.
//
// Layout: tag "IPQC" | u32 version | string descriptor | u64 d | u64 seed | codec payload.
#include "lib/codecs/codec.h"

#include "lib/core/error.h"

namespace ipaq {

namespace {
constexpr char kCodecTag[4] = {'I', 'P', 'Q', 'C'};
constexpr uint32_t kCodecFormatVersion = 1;
}  // namespace

void Codec::set_query_workload(size_t nq, size_t d, const float* queries) {
  (void)nq; (void)d; (void)queries;
  throw InvalidArgument(format_message("codec '", descriptor(), "' has no workload-weighted objective (use an ASQ{b}w descriptor)"));
}

void Codec::serialize(ByteWriter& w) const {
  w.put_bytes(kCodecTag, 4);
  w.put<uint32_t>(kCodecFormatVersion);
  w.put_string(descriptor());
  w.put<uint64_t>(d_);
  w.put<uint64_t>(options().seed);
  serialize_payload(w);
}

std::unique_ptr<Codec> deserialize_codec(ByteReader& r) {
  r.expect_tag(kCodecTag);
  const uint32_t version = r.get<uint32_t>();
  IPAQ_CHECK_FORMAT(version == kCodecFormatVersion, r.context(), ": unsupported codec format version ", version);
  const std::string descriptor = r.get_string(256);
  const uint64_t d = r.get<uint64_t>();
  CodecOptions options;
  options.seed = r.get<uint64_t>();
  IPAQ_CHECK_FORMAT(is_codec_descriptor(descriptor), r.context(), ": unknown codec descriptor '", descriptor,
                    "'");
  IPAQ_CHECK_FORMAT(d > 0 && d <= (uint64_t{1} << 24), r.context(), ": codec dimension ", d, " out of range");
  std::unique_ptr<Codec> codec = make_codec(descriptor, d, options);
  codec->deserialize_payload(r);
  return codec;
}

}  // namespace ipaq
