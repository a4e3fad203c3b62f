// Descriptor checks of the codec registry (lib/codecs/codec_registry.cc) for callers that parse larger
// descriptors (index/index_factory.cc): is a token meant as an ipaq codec, and if so what is wrong with it.
// make_codec / is_codec_descriptor are declared in lib/codecs/codec.h. Thread-safe (pure functions).
#pragma once

#include <string>

namespace ipaq {

// True if the letters of `descriptor` before its first digit are a registered codec family (TQ, TQP, EDEN,
// RaBitQ, BSQ, ASQ) and a digit follows them: "TQ5", "RaBitQ99", "BSQ1x3" are meant as ipaq codecs (and
// wrong), "PQ16x8" or "Flat" are not.
bool names_codec_family(const std::string& descriptor);

// Grammar and value checks of make_codec without building: throws its InvalidArgument ("TQ bits must be
// ...") for a bad descriptor, returns for a good one.
void check_codec_descriptor(const std::string& descriptor);

}  // namespace ipaq
