#include "lib/rotation/rotation.h"

#include "lib/core/error.h"
#include "lib/rotation/gaussian_sketch.h"
#include "lib/rotation/haar_rotation.h"
#include "lib/rotation/hadamard_rotation.h"

namespace ipaq {

namespace {
constexpr char kRotationTag[4] = {'I', 'P', 'R', 'T'};
constexpr uint32_t kRotationFormatVersion = 1;
}  // namespace

RotationKind parse_rotation_kind(const std::string& name) {
  if (name == "hadamard") return RotationKind::kHadamard;
  if (name == "haar") return RotationKind::kHaar;
  throw InvalidArgument(format_message("unknown rotation kind '", name, "' (expected hadamard or haar)"));
}

const char* rotation_kind_name(RotationKind kind) {
  switch (kind) {
    case RotationKind::kHaar:
      return "haar";
    case RotationKind::kGaussianSketch:
      return "gaussian";
    default:
      return "hadamard";
  }
}

void Rotation::serialize(ByteWriter& w) const {
  w.put_bytes(kRotationTag, 4);
  w.put<uint32_t>(kRotationFormatVersion);
  w.put<uint8_t>(static_cast<uint8_t>(kind()));
  w.put<uint64_t>(d_);
  w.put<uint64_t>(seed_);
  serialize_state(w);
}

std::unique_ptr<Rotation> make_rotation(RotationKind kind, size_t d, uint64_t seed) {
  switch (kind) {
    case RotationKind::kHadamard:
      return std::make_unique<HadamardRotation>(d, seed);
    case RotationKind::kHaar:
      return std::make_unique<HaarRotation>(d, seed);
    case RotationKind::kGaussianSketch:
      return std::make_unique<GaussianSketch>(d, seed);
  }
  throw InvalidArgument(format_message("make_rotation: invalid kind ", static_cast<int>(kind)));
}

std::unique_ptr<Rotation> deserialize_rotation(ByteReader& r) {
  r.expect_tag(kRotationTag);
  const uint32_t version = r.get<uint32_t>();
  IPAQ_CHECK_FORMAT(version == kRotationFormatVersion, r.context(), ": unsupported rotation format version ",
                    version);
  const uint8_t kind = r.get<uint8_t>();
  const uint64_t d = r.get<uint64_t>();
  const uint64_t seed = r.get<uint64_t>();
  IPAQ_CHECK_FORMAT(d > 0 && d <= (uint64_t{1} << 30), r.context(), ": rotation dimension ", d,
                    " out of range");
  if (kind == static_cast<uint8_t>(RotationKind::kHadamard)) {
    const int32_t rounds = r.get<int32_t>();
    IPAQ_CHECK_FORMAT(rounds >= 1 && rounds <= 8, r.context(), ": Hadamard rounds ", rounds, " out of range");
    return std::make_unique<HadamardRotation>(d, seed, rounds);
  }
  if (kind == static_cast<uint8_t>(RotationKind::kHaar)) {
    return std::make_unique<HaarRotation>(d, seed, r.get_vector<float>());
  }
  if (kind == static_cast<uint8_t>(RotationKind::kGaussianSketch)) {
    IPAQ_CHECK_FORMAT(d <= GaussianSketch::kMaxDim, r.context(), ": Gaussian sketch dimension ", d, " out of range");
    return std::make_unique<GaussianSketch>(d, seed);  // regenerated from the seed
  }
  throw FormatError(format_message(r.context(), ": unknown rotation kind ", static_cast<int>(kind)));
}

}  // namespace ipaq
