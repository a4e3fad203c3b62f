#include "lib/codecs/codec_spec.h"

#include <algorithm>
#include <cstring>
#include <regex>

#include "lib/core/error.h"

namespace ipaq {

CodecSpec parse_codec_descriptor(const std::string& descriptor) {
  static const std::regex grammar("^([A-Za-z]*[A-Za-z])([0-9]+)(?:x([0-9]+))?([a-z]*)((?:_[a-z]+)*)$");
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
  const std::string options = m[5];  // "_opt_opt..."
  for (size_t start = 1; start < options.size();) {
    const size_t end = std::min(options.find('_', start), options.size());
    const std::string option = options.substr(start, end - start);
    if (option == "center") {
      spec.center = true;
    } else {
      IPAQ_CHECK_ARG(option == "haar" || option == "hadamard", "codec descriptor '", descriptor, "': unknown option '",
                     option, "' (expected haar, hadamard or center)");
      spec.rotation = parse_rotation_kind(option);
    }
    start = end + 1;
  }
  return spec;
}

void check_codec_spec(const CodecSpec& spec, const char* allowed_variants, bool allow_block) {
  const int b = spec.bits;
  IPAQ_CHECK_ARG(b == 1 || b == 2 || b == 3 || b == 4 || b == 8, "codec '", spec.text, "': bits ", b,
                 " not supported (expected 1, 2, 3, 4 or 8)");
  for (char c : spec.variant)
    IPAQ_CHECK_ARG(std::strchr(allowed_variants, c) != nullptr, "codec '", spec.text, "': unknown variant '", c,
                   "'");
  IPAQ_CHECK_ARG(allow_block || spec.block == 0, "codec '", spec.text, "': family ", spec.family,
                 " takes no block length");
}

}  // namespace ipaq
