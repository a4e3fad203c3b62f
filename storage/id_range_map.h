// IdRangeMap: the id layer a DurableIndex puts over an index that numbers its vectors by position (every
// non-IVF index). It answers exactly as faiss::IndexIDMap over the same index (same labels, distances and
// order; tested against it), but while the ids are one contiguous increasing run (first, first + 1, ...,
// the common case of a store loaded with ids 0..n-1 and of every reopen of such a store, which scans ids
// in increasing order) it keeps only the first id instead of 8 bytes per vector. The first append that
// breaks the run, and any removal, switch it to an explicit id array (what IndexIDMap keeps); a later
// reopen of a store whose ids form a run again starts compact again.
//
// Vectors enter through add_codes (already-encoded codes, ipaq::add_sa_codes on the inner index with
// positional ids) or add_with_ids (encodes through the inner index's add). search() forwards the
// parameters to the inner index; a selector in them is rejected (ids would need translating, which
// DurableIndex never asks for). remove_ids selects by id, like IndexIDMap.
//
// Ownership: owns the inner index. Thread-safety: const members may run concurrently; writers need
// exclusive access (DurableIndex's lock). Errors: InvalidArgument (null ids, ids < 0 are the caller's
// checks; a selector in search parameters), plus whatever the inner index throws.
#pragma once

#include <faiss/Index.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace ipaq::storage {

class IdRangeMap : public faiss::Index {
 public:
  explicit IdRangeMap(std::unique_ptr<faiss::Index> index);

  faiss::Index& index() { return *index_; }
  const faiss::Index& index() const { return *index_; }

  // codes: n * index().sa_code_size() bytes as produced by sa_encode; ids: n ids.
  void add_codes(idx_t n, const uint8_t* codes, const idx_t* ids);
  // Reserves the inner index's code memory for n more vectors (ipaq::reserve_sa_codes); the ids' array
  // is sized for them now if it exists, else when a later append makes it necessary (no growth slack).
  void reserve(idx_t n);

  // The id of the vector at `position` (0 <= position < ntotal).
  idx_t id_at(idx_t position) const { return contiguous_ ? first_ + position : ids_[static_cast<size_t>(position)]; }
  bool contiguous() const { return contiguous_; }
  // Bytes of id storage held (0 while contiguous).
  size_t id_bytes() const { return ids_.capacity() * sizeof(idx_t); }

  void train(idx_t n, const float* x) override;
  void add(idx_t n, const float* x) override;  // no ids: InvalidArgument
  void add_with_ids(idx_t n, const float* x, const idx_t* ids) override;
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  size_t remove_ids(const faiss::IDSelector& sel) override;
  void reset() override;
  size_t sa_code_size() const override { return index_->sa_code_size(); }
  void sa_encode(idx_t n, const float* x, uint8_t* bytes) const override { index_->sa_encode(n, x, bytes); }

 private:
  // Records the ids of the n vectors just appended to the inner index at positions [before, before + n).
  void record_ids(idx_t before, idx_t n, const idx_t* ids);
  // Switches to an explicit id array holding the ids of positions [0, held), with room for `capacity`.
  void make_explicit(size_t held, size_t capacity);

  std::unique_ptr<faiss::Index> index_;
  bool contiguous_ = true;
  idx_t first_ = 0;           // contiguous: the id of position 0
  std::vector<idx_t> ids_;    // explicit: the id of each position
  size_t planned_ = 0;        // vectors announced by reserve(): the explicit array's capacity
};

}  // namespace ipaq::storage
