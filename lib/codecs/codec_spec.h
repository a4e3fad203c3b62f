// A parsed codec descriptor. Grammar (see lib/codecs/codec_registry.cc for the families):
//
//   <Family><bits>[x<block>][<variant letters>][_<option>]...
//
//   Family    letters, case-sensitive: TQ, TQP, EDEN, RaBitQ, BSQ, ASQ
//   bits      bits per rotated coordinate (1..8; each family checks its own set)
//   block     BlockSphere block length p (only BSQ)
//   variant   lower-case letters selecting a variant (e.g. "b" = biased least-MSE scale, "f" = fast)
//   option    "hadamard" (default rotation, may be omitted) or "haar" (dense rotation);
//             "center": subtract a trained global center (the mean of the train() sample) before
//             coding, and add ⟨q, center⟩ back in every estimate (the codec then needs train()).
//
// Examples: "TQ4", "TQP3", "EDEN2b", "RaBitQ1", "RaBitQ4f", "BSQ2x4", "BSQ1x8b", "TQ2_haar",
// "RaBitQ1_center".
// parse_codec_descriptor() checks the grammar only and throws InvalidArgument on malformed text; the
// family's factory validates the values. Pure, thread-safe.
#pragma once

#include <string>

#include "lib/rotation/rotation.h"

namespace ipaq {

struct CodecSpec {
  std::string family;
  int bits = 0;
  int block = 0;  // 0 = absent
  std::string variant;
  RotationKind rotation = RotationKind::kHadamard;
  bool center = false;
  std::string text;  // the descriptor as given

  bool has_variant(char c) const { return variant.find(c) != std::string::npos; }
};

CodecSpec parse_codec_descriptor(const std::string& descriptor);

// Checks spec.bits ∈ {1, 2, 3, 4, 8}, that the variant letters are within `allowed_variants`, and that a
// block length is given only when allowed; throws InvalidArgument naming the descriptor otherwise. Shared
// by the codec families' spec checks.
void check_codec_spec(const CodecSpec& spec, const char* allowed_variants, bool allow_block = false);

}  // namespace ipaq
