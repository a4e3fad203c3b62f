// The codec registry: the one place that maps descriptor families to factories. A new codec is one
// file with a validator `void check_x_spec(const CodecSpec&)` (throws InvalidArgument) and a factory
// `std::unique_ptr<Codec> make_x(const CodecSpec&, size_t d, const CodecOptions&)`, plus one line in
// kFamilies. Descriptor grammar: lib/codecs/codec_spec.h.
//
// ASQ{b}[n][m|w][k|v] (lib/codecs/asq_codec.h): rotation + ASQ levels; n = nearest rounding (default
// unbiased stochastic), m = worst-case (MDV) objective, w = workload-weighted objective (sample queries via
// Codec::set_query_workload() before train), k = levels per block of 128 rotated coordinates, v = per-vector
// levels from the exact solver stored as float16 side information in each code (no LUT form).
#include <string_view>

#include "lib/codecs/asq_codec.h"
#include "lib/codecs/blocksphere_codec.h"
#include "lib/codecs/codec.h"
#include "lib/codecs/codec_registry.h"
#include "lib/codecs/codec_spec.h"
#include "lib/codecs/lloyd_max_codec.h"
#include "lib/codecs/rabitq_codec.h"
#include "lib/codecs/turboquant_prod_codec.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

using SpecCheck = void (*)(const CodecSpec&);
using CodecFactory = std::unique_ptr<Codec> (*)(const CodecSpec&, size_t, const CodecOptions&);

struct CodecFamily {
  std::string_view name;
  SpecCheck check;
  CodecFactory make;
};

constexpr CodecFamily kFamilies[] = {
    {"TQ", check_turboquant_mse_spec, make_turboquant_mse_codec},     // TurboQuant_mse: TQ{b}
    {"TQP", check_turboquant_prod_spec, make_turboquant_prod_codec},  // TurboQuant_prod: TQP{b}
    {"EDEN", check_eden_spec, make_eden_codec},                       // EDEN{b} unbiased, EDEN{b}b least-MSE
    {"RaBitQ", check_rabitq_spec, make_rabitq_codec},                 // RaBitQ{b} exact, RaBitQ{b}f fast
    {"BSQ", check_blocksphere_spec, make_blocksphere_codec},          // BlockSphere: BSQ{b}x{p}[b]
    {"ASQ", check_asq_spec, make_asq_codec},                          // ASQ{b}[n][m|w][k|v], asq_codec.h
};

// The family of a parsed descriptor, after its value checks; throws InvalidArgument.
const CodecFamily& find_family(const CodecSpec& spec) {
  for (const CodecFamily& family : kFamilies) {
    if (family.name == spec.family) {
      family.check(spec);
      return family;
    }
  }
  throw InvalidArgument(format_message("unknown codec family '", spec.family, "' in descriptor '", spec.text,
                                       "' (known: TQ, TQP, EDEN, RaBitQ, BSQ, ASQ)"));
}

}  // namespace

std::unique_ptr<Codec> make_codec(const std::string& descriptor, size_t d, const CodecOptions& options) {
  IPAQ_CHECK_ARG(d > 0, "make_codec('", descriptor, "'): dimension must be > 0");
  const CodecSpec spec = parse_codec_descriptor(descriptor);
  return find_family(spec).make(spec, d, options);
}

void check_codec_descriptor(const std::string& descriptor) {
  // Grammar and value checks without building (building may train codebooks).
  find_family(parse_codec_descriptor(descriptor));
}

bool names_codec_family(const std::string& descriptor) {
  const size_t digit = descriptor.find_first_of("0123456789");
  if (digit == std::string::npos) return false;
  for (const CodecFamily& family : kFamilies) {
    if (family.name == std::string_view(descriptor).substr(0, digit)) return true;
  }
  return false;
}

bool is_codec_descriptor(const std::string& descriptor) {
  try {
    check_codec_descriptor(descriptor);
    return true;
  } catch (const InvalidArgument&) {
    return false;
  }
}

}  // namespace ipaq
