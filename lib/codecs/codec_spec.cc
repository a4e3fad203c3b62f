#include "lib/codecs/codec_spec.h"

#include <regex>

#include "lib/core/error.h"

namespace ipaq {

CodecSpec parse_codec_descriptor(const std::string& descriptor) {
  static const std::regex grammar("^([A-Za-z]*[A-Za-z])([0-9]+)(?:x([0-9]+))?([a-z]*)(?:_([a-z]+))?$");
  std::smatch m;
  IPAQ_CHECK_ARG(std::regex_match(descriptor, m, grammar), "malformed codec descriptor '", descriptor,
                 "' (expected e.g. TQ4, EDEN2b, BSQ2x4, RaBitQ1_haar)");
  CodecSpec spec;
  spec.text = descriptor;
  spec.family = m[1];
  IPAQ_CHECK_ARG(m[2].length() <= 2, "codec descriptor '", descriptor, "': bits out of range");
  spec.bits = std::stoi(m[2]);
  if (m[3].matched) {
    IPAQ_CHECK_ARG(m[3].length() <= 2, "codec descriptor '", descriptor, "': block length out of range");
    spec.block = std::stoi(m[3]);
  }
  spec.variant = m[4];
  if (m[5].matched) spec.rotation = parse_rotation_kind(m[5]);
  return spec;
}

}  // namespace ipaq
