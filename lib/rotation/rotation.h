// Rotation: a seeded random orthogonal map applied before quantization (../shared/DESIGN.md §3).
//
// A rotation maps R^d into R^D (D >= d): the input is zero-padded to D coordinates and multiplied by a
// D x D orthogonal matrix Π. Norms and inner products are preserved exactly in real arithmetic (to float
// rounding in practice). apply_transpose() maps back: the first d coordinates of Π^T y, which inverts
// apply() on its range. Codecs quantize all D rotated coordinates, so D (not d) sets their code size.
//
// Kinds:
//   kHadamard  randomized Hadamard: `rounds` times (random ±1 signs, then the fast Walsh–Hadamard
//              transform), scaled to be orthonormal. O(D log D) time, O(rounds·D) memory.
//              D = the next power of two >= d: non-power-of-two dimensions are PADDED (784 -> 1024).
//              Padding, not a block scheme, because it keeps every rotated coordinate a mixture of all
//              inputs (the coordinate law the codebooks assume); its cost is D/d more code bits.
//   kHaar      dense Haar-distributed matrix (QR of a Gaussian matrix with the sign fix), D = d.
//              O(d²) time and memory; serialized as the full matrix.
//
// Arrays: x has dim() floats, y has rotated_dim() floats; they must not overlap. Deterministic given
// (kind, d, seed) on every platform for kHadamard; kHaar is serialized explicitly. After construction all
// methods are const and thread-safe. Errors: d == 0 or an absurd d throws InvalidArgument;
// deserialization of foreign or truncated bytes throws FormatError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lib/core/byte_stream.h"

namespace ipaq {

// kGaussianSketch is not a rotation: the dense Gaussian QJL sketch of lib/rotation/gaussian_sketch.h,
// square (d = D <= 2048), behind the same interface; descriptors never name it as a codec rotation.
enum class RotationKind : uint8_t { kHadamard = 1, kHaar = 2, kGaussianSketch = 3 };

// "hadamard" | "haar"; throws InvalidArgument otherwise.
RotationKind parse_rotation_kind(const std::string& name);
const char* rotation_kind_name(RotationKind kind);

class Rotation {
 public:
  virtual ~Rotation() = default;

  virtual RotationKind kind() const = 0;
  size_t dim() const { return d_; }
  size_t rotated_dim() const { return rotated_d_; }
  uint64_t seed() const { return seed_; }

  // y = Π · pad(x). x: dim() floats, y: rotated_dim() floats.
  virtual void apply(const float* x, float* y) const = 0;
  // x = first dim() coordinates of Π^T y. y: rotated_dim() floats, x: dim() floats.
  virtual void apply_transpose(const float* y, float* x) const = 0;

  // Writes kind, dims, seed and any explicit state; read back by deserialize_rotation().
  void serialize(ByteWriter& w) const;

 protected:
  Rotation(size_t d, size_t rotated_d, uint64_t seed) : d_(d), rotated_d_(rotated_d), seed_(seed) {}
  virtual void serialize_state(ByteWriter& w) const = 0;

 private:
  size_t d_;
  size_t rotated_d_;
  uint64_t seed_;
};

// Creates a rotation of R^d. kHadamard uses 3 rounds.
std::unique_ptr<Rotation> make_rotation(RotationKind kind, size_t d, uint64_t seed);
std::unique_ptr<Rotation> deserialize_rotation(ByteReader& r);

}  // namespace ipaq
