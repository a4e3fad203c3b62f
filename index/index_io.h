// Index files: ipaq::write_index / ipaq::read_index for ipaq and FAISS indexes alike.
//
// FAISS 1.7.3 cannot serialize third-party index types, so ipaq writes its own container:
//
//   header  : "IPAQ" | u32 format version (1) | u64 payload bytes | u32 CRC-32 of the payload
//   payload : one node
//   node    : 4-byte tag | tag-specific body, all little-endian
//     "IQFL" IndexCodecFlat  : common index fields, codec (Codec::serialize), center, codes
//     "IQIV" IndexCodecIVF   : common fields, coarse quantizer (node), codec, per-list ids + codes
//     "IQRR" IndexRerank     : factor, base (node), in-memory exact vectors (or none: external source)
//     "IDM2" IndexIDMap2     : inner (node), id map           (only when the inner tree holds ipaq types)
//     "RFFL" IndexRefineFlat : k_factor, base (node), refine (node)
//     "SHRD" IndexShards     : successive_ids, shard count, shards (nodes)
//     "PRET" IndexPreTransform : transform chain (FAISS bytes), inner (node)
//     "FAIS" any FAISS-only subtree: u64 length | bytes of faiss::write_index
//
// Reading checks the magic, version, length and CRC before parsing anything, then checks every count
// and size against the bytes left before allocating (overflow-safe). FAISS bytes are handed to FAISS's
// reader only after the CRC matched, so corrupted files are rejected before FAISS's unchecked reader
// sees them. Truncated, corrupted, foreign or newer-version data → ipaq::FormatError naming the
// problem; an unreadable/unwritable path → ipaq::IoError; a type that cannot be written (e.g. a FAISS
// wrapper around an ipaq type not listed above, or an IndexRerank over an external VectorSource when
// the caller asked for vectors) → InvalidArgument.
//
// IndexRerank with an external VectorSource is written without vectors and read back with an empty
// in-memory source flagged as external: the caller must set_source() (storage does).
//
// Thread-safety: reading and writing are const on the index; do not mutate it concurrently.
#pragma once

#include <faiss/Index.h>

#include <memory>
#include <string>
#include <string_view>

namespace ipaq {

// Serializes `index` into *bytes (replacing its content).
void write_index(const faiss::Index* index, std::string* bytes);
// Serializes `index` into the file at `path` (created or truncated).
void write_index(const faiss::Index* index, const std::string& path);

// Reads an index written by write_index from a file.
std::unique_ptr<faiss::Index> read_index(const std::string& path);
// Reads an index written by write_index from memory.
std::unique_ptr<faiss::Index> read_index_bytes(std::string_view bytes);

}  // namespace ipaq
