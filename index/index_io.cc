#include "index/index_io.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexRefine.h>
#include <faiss/IndexShards.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <zlib.h>

#include <fstream>
#include <iterator>

#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/rerank.h"
#include "lib/core/byte_stream.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

using idx_t = faiss::Index::idx_t;

constexpr char kMagic[4] = {'I', 'P', 'A', 'Q'};
constexpr uint32_t kFormatVersion = 1;
// Nesting of wrappers in a legitimate file is shallow; the limit keeps crafted files from recursing deep.
constexpr int kMaxDepth = 16;
constexpr int32_t kMaxDim = 1 << 20;

constexpr char kTagFlat[4] = {'I', 'Q', 'F', 'L'};
constexpr char kTagIvf[4] = {'I', 'Q', 'I', 'V'};
constexpr char kTagRerank[4] = {'I', 'Q', 'R', 'R'};
constexpr char kTagIdMap[4] = {'I', 'D', 'M', '2'};
constexpr char kTagRefine[4] = {'R', 'F', 'F', 'L'};
constexpr char kTagShards[4] = {'S', 'H', 'R', 'D'};
constexpr char kTagPreTransform[4] = {'P', 'R', 'E', 'T'};
constexpr char kTagFaiss[4] = {'F', 'A', 'I', 'S'};

uint32_t crc32_of(const void* data, size_t n) {
  return static_cast<uint32_t>(crc32_z(0L, static_cast<const Bytef*>(data), n));
}

// True if the tree under `index` holds an ipaq type (then FAISS alone cannot write it).
bool holds_ipaq(const faiss::Index* index) {
  if (dynamic_cast<const IndexCodecFlat*>(index) || dynamic_cast<const IndexCodecIVF*>(index) ||
      dynamic_cast<const IndexRerank*>(index)) {
    return true;
  }
  if (auto* m = dynamic_cast<const faiss::IndexIDMap*>(index)) return holds_ipaq(m->index);
  if (auto* r = dynamic_cast<const faiss::IndexRefine*>(index)) {
    return holds_ipaq(r->base_index) || holds_ipaq(r->refine_index);
  }
  if (auto* s = dynamic_cast<const faiss::IndexShards*>(index)) {
    for (int i = 0; i < s->count(); ++i) {
      if (holds_ipaq(s->at(i))) return true;
    }
    return false;
  }
  if (auto* p = dynamic_cast<const faiss::IndexPreTransform*>(index)) return holds_ipaq(p->index);
  return false;
}

// ---- common index fields ----

void write_common(ByteWriter& w, const faiss::Index& index) {
  w.put<int32_t>(static_cast<int32_t>(index.d));
  w.put<int64_t>(index.ntotal);
  w.put<int32_t>(static_cast<int32_t>(index.metric_type));
  w.put<uint8_t>(index.is_trained ? 1 : 0);
}

struct Common {
  int32_t d;
  int64_t ntotal;
  faiss::MetricType metric;
  bool is_trained;
};

Common read_common(ByteReader& r) {
  Common c;
  c.d = r.get<int32_t>();
  c.ntotal = r.get<int64_t>();
  const int32_t metric = r.get<int32_t>();
  const uint8_t trained = r.get<uint8_t>();
  IPAQ_CHECK_FORMAT(c.d >= 1 && c.d <= kMaxDim, r.context(), ": dimension ", c.d, " out of range");
  IPAQ_CHECK_FORMAT(c.ntotal >= 0, r.context(), ": negative vector count ", c.ntotal);
  IPAQ_CHECK_FORMAT(metric == faiss::METRIC_L2 || metric == faiss::METRIC_INNER_PRODUCT, r.context(),
                    ": unsupported metric ", metric);
  IPAQ_CHECK_FORMAT(trained <= 1, r.context(), ": bad trained flag ", int(trained));
  c.metric = static_cast<faiss::MetricType>(metric);
  c.is_trained = trained == 1;
  return c;
}

void expect_consistent(bool ok, const ByteReader& r, const char* what) {
  IPAQ_CHECK_FORMAT(ok, r.context(), ": inconsistent ", what, " (corrupted file)");
}

// Reads `count` fixed-size records after checking they fit in what is left.
void check_fits(const ByteReader& r, uint64_t count, size_t record_bytes, const char* what) {
  IPAQ_CHECK_FORMAT(record_bytes == 0 || count <= r.remaining() / record_bytes, r.context(), ": ", count, " ",
                    what, " of ", record_bytes, " bytes but only ", r.remaining(), " bytes left");
}

// ---- FAISS subtrees ----

void write_faiss(ByteWriter& w, const faiss::Index* index) {
  faiss::VectorIOWriter writer;
  try {
    faiss::write_index(index, &writer);
  } catch (const std::exception& e) {
    throw InvalidArgument(format_message("write_index: FAISS cannot write this index: ", e.what()));
  }
  w.put_bytes(kTagFaiss, 4);
  w.put_vector(writer.data);
}

std::unique_ptr<faiss::Index> read_faiss(ByteReader& r) {
  faiss::VectorIOReader reader;
  reader.data = r.get_vector<uint8_t>();
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&reader));
  } catch (const std::exception& e) {
    throw FormatError(format_message(r.context(), ": FAISS could not read an embedded index: ", e.what()));
  }
  IPAQ_CHECK_FORMAT(index != nullptr && reader.rp == reader.data.size(), r.context(),
                    ": embedded FAISS index has trailing bytes");
  return index;
}

void write_node(ByteWriter& w, const faiss::Index* index);
std::unique_ptr<faiss::Index> read_node(ByteReader& r, int depth);

// ---- ipaq types ----

void write_flat(ByteWriter& w, const IndexCodecFlat& f) {
  w.put_bytes(kTagFlat, 4);
  write_common(w, f);
  w.put<uint8_t>(f.centered() ? 1 : 0);
  w.put<uint8_t>(f.uses_fastscan() ? 1 : 0);
  f.codec().serialize(w);
  w.put_vector(f.center());
  // The row-major codes (format unchanged), assembled a run at a time under fast scan.
  const size_t n = static_cast<size_t>(f.ntotal);
  w.put<uint64_t>(checked_mul(n, f.code_size, "codes"));
  copy_code_runs(
      n, f.code_size,
      [&](size_t first, size_t m, uint8_t* run) {
        f.read_codes(static_cast<idx_t>(first), static_cast<idx_t>(m), run);
      },
      [&](size_t m, const uint8_t* run) { w.put_bytes(run, m * f.code_size); });
}

std::unique_ptr<faiss::Index> read_flat(ByteReader& r) {
  const Common c = read_common(r);
  const bool centered = r.get<uint8_t>() != 0;
  const bool fastscan = r.get<uint8_t>() != 0;
  auto codec = deserialize_codec(r);
  expect_consistent(codec->dim() == static_cast<size_t>(c.d), r, "codec dimension");
  auto index = std::make_unique<IndexCodecFlat>(std::move(codec), c.metric, centered, fastscan);
  std::vector<float> center = r.get_vector<float>();
  expect_consistent(center.size() == static_cast<size_t>(c.d), r, "center size");
  if (c.is_trained) index->set_trained_center(std::move(center));
  expect_consistent(index->is_trained == c.is_trained, r, "trained state");
  check_fits(r, static_cast<uint64_t>(c.ntotal), index->code_size, "codes");
  // A u64 byte count then the row-major codes (what put_vector writes), read a run at a time so that a
  // fast-scan index never holds a second full copy of them.
  const uint64_t code_bytes = r.get<uint64_t>();
  expect_consistent(code_bytes == static_cast<uint64_t>(c.ntotal) * index->code_size, r, "code array size");
  const size_t n = static_cast<size_t>(c.ntotal);
  index->reserve(c.ntotal);
  copy_code_runs(
      n, index->code_size, [&](size_t, size_t m, uint8_t* run) { r.get_bytes(run, m * index->code_size); },
      [&](size_t m, const uint8_t* run) { index->add_codes(static_cast<idx_t>(m), run); });
  return index;
}

void write_ivf(ByteWriter& w, const IndexCodecIVF& ivf) {
  w.put_bytes(kTagIvf, 4);
  write_common(w, ivf);
  w.put<uint64_t>(ivf.nlist);
  w.put<uint64_t>(ivf.nprobe);
  w.put<uint8_t>(static_cast<uint8_t>(ivf.direct_map.type));
  w.put<uint8_t>(ivf.uses_fastscan() ? 1 : 0);
  ivf.codec().serialize(w);
  write_node(w, ivf.quantizer);
  for (size_t list = 0; list < ivf.nlist; ++list) {
    const size_t n = ivf.invlists->list_size(list);
    w.put<uint64_t>(n);
    faiss::InvertedLists::ScopedIds ids(ivf.invlists, list);
    faiss::InvertedLists::ScopedCodes codes(ivf.invlists, list);
    w.put_bytes(ids.get(), n * sizeof(idx_t));
    w.put_bytes(codes.get(), n * ivf.code_size);
  }
}

std::unique_ptr<faiss::Index> read_ivf(ByteReader& r, int depth) {
  const Common c = read_common(r);
  const uint64_t nlist = r.get<uint64_t>();
  const uint64_t nprobe = r.get<uint64_t>();
  const uint8_t direct_map = r.get<uint8_t>();
  const uint8_t fastscan = r.get<uint8_t>();
  IPAQ_CHECK_FORMAT(fastscan <= 1, r.context(), ": bad fast-scan flag");
  IPAQ_CHECK_FORMAT(nlist >= 1 && nlist <= (1u << 24) && nprobe >= 1 && nprobe <= nlist, r.context(),
                    ": nlist ", nlist, " / nprobe ", nprobe, " out of range");
  IPAQ_CHECK_FORMAT(direct_map <= faiss::DirectMap::Hashtable, r.context(), ": bad direct map type");
  auto codec = deserialize_codec(r);
  expect_consistent(codec->dim() == static_cast<size_t>(c.d), r, "codec dimension");
  auto quantizer = read_node(r, depth + 1);
  expect_consistent(quantizer->d == c.d && (quantizer->ntotal == 0 || quantizer->ntotal == idx_t(nlist)), r,
                    "coarse quantizer");
  auto index = std::make_unique<IndexCodecIVF>(std::move(quantizer), nlist, std::move(codec), c.metric,
                                               fastscan == 1);
  expect_consistent(index->is_trained == c.is_trained, r, "trained state");
  index->nprobe = nprobe;
  const size_t record = sizeof(idx_t) + index->code_size;
  std::vector<idx_t> ids;
  std::vector<uint8_t> codes;
  uint64_t total = 0;
  for (uint64_t list = 0; list < nlist; ++list) {
    const uint64_t n = r.get<uint64_t>();
    check_fits(r, n, record, "list entries");
    ids.resize(n);
    codes.resize(n * index->code_size);
    r.get_bytes(ids.data(), n * sizeof(idx_t));
    r.get_bytes(codes.data(), codes.size());
    if (n > 0) index->invlists->add_entries(list, n, ids.data(), codes.data());
    total += n;
  }
  expect_consistent(total == static_cast<uint64_t>(c.ntotal), r, "vector count");
  index->ntotal = c.ntotal;
  index->sync_packed();
  if (direct_map != faiss::DirectMap::NoMap) {
    try {
      index->set_direct_map_type(static_cast<faiss::DirectMap::Type>(direct_map));
    } catch (const std::exception& e) {
      throw FormatError(format_message(r.context(), ": cannot rebuild the direct map: ", e.what()));
    }
  }
  return index;
}

void write_rerank(ByteWriter& w, const IndexRerank& rr) {
  w.put_bytes(kTagRerank, 4);
  write_common(w, rr);
  w.put<float>(rr.default_factor());
  const auto* in_memory = dynamic_cast<const InMemoryVectorSource*>(&rr.source());
  w.put<uint8_t>(in_memory ? 1 : 0);
  write_node(w, &rr.base());
  if (in_memory) w.put_vector(in_memory->data());
}

std::unique_ptr<faiss::Index> read_rerank(ByteReader& r, int depth) {
  const Common c = read_common(r);
  const float factor = r.get<float>();
  const uint8_t in_memory = r.get<uint8_t>();
  IPAQ_CHECK_FORMAT(std::isfinite(factor) && factor >= 1.0f && in_memory <= 1, r.context(),
                    ": bad rerank factor or source flag");
  auto base = read_node(r, depth + 1);
  expect_consistent(base->d == c.d && base->metric_type == c.metric && base->ntotal == c.ntotal, r, "rerank base");
  auto index = std::make_unique<IndexRerank>(std::move(base), nullptr, factor);
  if (in_memory) {
    const std::vector<float> vectors = r.get_vector<float>();
    expect_consistent(vectors.size() == static_cast<size_t>(c.ntotal) * static_cast<size_t>(c.d), r,
                      "exact vector count");
    index->in_memory_source()->append(static_cast<size_t>(c.ntotal), vectors.data());
  }
  return index;
}

// ---- FAISS wrappers around ipaq types ----

void write_idmap(ByteWriter& w, const faiss::IndexIDMap& m) {
  w.put_bytes(kTagIdMap, 4);
  w.put<uint8_t>(dynamic_cast<const faiss::IndexIDMap2*>(&m) ? 2 : 1);
  write_node(w, m.index);
  w.put_vector(m.id_map);
}

std::unique_ptr<faiss::Index> read_idmap(ByteReader& r, int depth) {
  const uint8_t kind = r.get<uint8_t>();
  IPAQ_CHECK_FORMAT(kind == 1 || kind == 2, r.context(), ": bad IDMap kind ", int(kind));
  auto inner = read_node(r, depth + 1);
  std::vector<idx_t> id_map = r.get_vector<idx_t>();
  expect_consistent(id_map.size() == static_cast<size_t>(inner->ntotal), r, "id map size");
  // FAISS's IDMap constructor insists on an empty inner index: fill the fields directly.
  std::unique_ptr<faiss::IndexIDMap> m =
      kind == 2 ? std::unique_ptr<faiss::IndexIDMap>(std::make_unique<faiss::IndexIDMap2>())
                : std::make_unique<faiss::IndexIDMap>();
  m->d = inner->d;
  m->metric_type = inner->metric_type;
  m->ntotal = inner->ntotal;
  m->is_trained = inner->is_trained;
  m->id_map = std::move(id_map);
  m->index = inner.release();
  m->own_fields = true;
  if (auto* m2 = dynamic_cast<faiss::IndexIDMap2*>(m.get())) m2->construct_rev_map();
  return m;
}

void write_refine(ByteWriter& w, const faiss::IndexRefine& rf) {
  w.put_bytes(kTagRefine, 4);
  w.put<uint8_t>(dynamic_cast<const faiss::IndexRefineFlat*>(&rf) ? 1 : 0);
  w.put<float>(rf.k_factor);
  write_node(w, rf.base_index);
  write_node(w, rf.refine_index);
}

std::unique_ptr<faiss::Index> read_refine(ByteReader& r, int depth) {
  const uint8_t is_flat = r.get<uint8_t>();
  const float k_factor = r.get<float>();
  IPAQ_CHECK_FORMAT(is_flat <= 1 && std::isfinite(k_factor) && k_factor >= 1.0f && k_factor <= 1e6f, r.context(),
                    ": bad refine parameters");
  auto base = read_node(r, depth + 1);
  auto refine = read_node(r, depth + 1);
  expect_consistent(base->d == refine->d && base->ntotal == refine->ntotal, r, "refine base/refine pair");
  std::unique_ptr<faiss::IndexRefine> rf =
      is_flat ? std::unique_ptr<faiss::IndexRefine>(std::make_unique<faiss::IndexRefineFlat>())
              : std::make_unique<faiss::IndexRefine>();
  rf->d = base->d;
  rf->metric_type = base->metric_type;
  rf->ntotal = base->ntotal;
  rf->is_trained = base->is_trained && refine->is_trained;
  rf->k_factor = k_factor;
  rf->base_index = base.release();
  rf->refine_index = refine.release();
  rf->own_fields = true;
  rf->own_refine_index = true;
  return rf;
}

void write_shards(ByteWriter& w, const faiss::IndexShards& s) {
  w.put_bytes(kTagShards, 4);
  w.put<int32_t>(static_cast<int32_t>(s.d));
  w.put<uint8_t>(s.successive_ids ? 1 : 0);
  w.put<uint64_t>(static_cast<uint64_t>(s.count()));
  for (int i = 0; i < s.count(); ++i) write_node(w, s.at(i));
}

std::unique_ptr<faiss::Index> read_shards(ByteReader& r, int depth) {
  const int32_t d = r.get<int32_t>();
  const uint8_t successive = r.get<uint8_t>();
  const uint64_t count = r.get<uint64_t>();
  IPAQ_CHECK_FORMAT(d >= 1 && d <= kMaxDim && successive <= 1 && count <= 4096, r.context(),
                    ": bad shard header");
  auto shards = std::make_unique<faiss::IndexShards>(d, /*threaded=*/false, successive == 1);
  shards->own_fields = true;
  for (uint64_t i = 0; i < count; ++i) {
    auto shard = read_node(r, depth + 1);
    expect_consistent(shard->d == d, r, "shard dimension");
    shards->add_shard(shard.get());
    shard.release();  // owned by shards (own_fields)
  }
  return shards;
}

void write_pretransform(ByteWriter& w, const faiss::IndexPreTransform& p) {
  // The transform chain is written by FAISS, as an IndexPreTransform over an empty IndexFlat stand-in.
  auto stand_in = std::make_unique<faiss::IndexFlat>(p.index->d, p.index->metric_type);
  faiss::IndexPreTransform chain_only(stand_in.get());
  chain_only.own_fields = false;
  chain_only.chain = p.chain;
  chain_only.d = p.d;
  chain_only.is_trained = p.is_trained;
  w.put_bytes(kTagPreTransform, 4);
  write_faiss(w, &chain_only);
  chain_only.chain.clear();
  write_node(w, p.index);
}

std::unique_ptr<faiss::Index> read_pretransform(ByteReader& r, int depth) {
  r.expect_tag(kTagFaiss);
  std::unique_ptr<faiss::Index> chain_index = read_faiss(r);
  auto* p = dynamic_cast<faiss::IndexPreTransform*>(chain_index.get());
  IPAQ_CHECK_FORMAT(p != nullptr && p->own_fields, r.context(), ": expected an IndexPreTransform chain");
  auto inner = read_node(r, depth + 1);
  expect_consistent(inner->d == p->index->d && inner->metric_type == p->index->metric_type, r,
                    "pre-transform inner index");
  delete p->index;
  p->index = inner.release();
  p->ntotal = p->index->ntotal;
  p->is_trained = p->is_trained && p->index->is_trained;
  return chain_index;
}

// ---- dispatch ----

void write_node(ByteWriter& w, const faiss::Index* index) {
  IPAQ_CHECK_ARG(index != nullptr, "write_index: null index");
  if (!holds_ipaq(index)) return write_faiss(w, index);
  if (auto* f = dynamic_cast<const IndexCodecFlat*>(index)) return write_flat(w, *f);
  if (auto* v = dynamic_cast<const IndexCodecIVF*>(index)) return write_ivf(w, *v);
  if (auto* rr = dynamic_cast<const IndexRerank*>(index)) return write_rerank(w, *rr);
  if (auto* m = dynamic_cast<const faiss::IndexIDMap*>(index)) return write_idmap(w, *m);
  if (auto* rf = dynamic_cast<const faiss::IndexRefine*>(index)) return write_refine(w, *rf);
  if (auto* s = dynamic_cast<const faiss::IndexShards*>(index)) return write_shards(w, *s);
  if (auto* p = dynamic_cast<const faiss::IndexPreTransform*>(index)) return write_pretransform(w, *p);
  throw InvalidArgument(format_message("write_index: cannot write index type ", typeid(*index).name()));
}

std::unique_ptr<faiss::Index> read_node(ByteReader& r, int depth) {
  IPAQ_CHECK_FORMAT(depth <= kMaxDepth, r.context(), ": indexes nested deeper than ", kMaxDepth);
  char tag[4];
  r.get_bytes(tag, 4);
  auto is = [&](const char* t) { return std::memcmp(tag, t, 4) == 0; };
  if (is(kTagFaiss)) return read_faiss(r);
  if (is(kTagFlat)) return read_flat(r);
  if (is(kTagIvf)) return read_ivf(r, depth);
  if (is(kTagRerank)) return read_rerank(r, depth);
  if (is(kTagIdMap)) return read_idmap(r, depth);
  if (is(kTagRefine)) return read_refine(r, depth);
  if (is(kTagShards)) return read_shards(r, depth);
  if (is(kTagPreTransform)) return read_pretransform(r, depth);
  throw FormatError(format_message(r.context(), ": unknown index tag '", std::string(tag, 4), "'"));
}

}  // namespace

void write_index(const faiss::Index* index, std::string* bytes) {
  IPAQ_CHECK_ARG(bytes != nullptr, "write_index: null output string");
  ByteWriter payload;
  write_node(payload, index);
  const std::string& p = payload.str();
  ByteWriter out;
  out.put_bytes(kMagic, 4);
  out.put<uint32_t>(kFormatVersion);
  out.put<uint64_t>(p.size());
  out.put<uint32_t>(crc32_of(p.data(), p.size()));
  out.put_bytes(p.data(), p.size());
  *bytes = out.take();
}

void write_index(const faiss::Index* index, const std::string& path) {
  std::string bytes;
  write_index(index, &bytes);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  IPAQ_CHECK(f.good(), IoError, "write_index: cannot open '", path, "' for writing");
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  IPAQ_CHECK(f.good(), IoError, "write_index: writing '", path, "' failed");
}

std::unique_ptr<faiss::Index> read_index_bytes(std::string_view bytes) {
  ByteReader header(bytes, "index file header");
  header.expect_tag(kMagic);
  const uint32_t version = header.get<uint32_t>();
  IPAQ_CHECK_FORMAT(version == kFormatVersion, "index file: unsupported format version ", version,
                    " (this build reads version ", kFormatVersion, ")");
  const uint64_t length = header.get<uint64_t>();
  const uint32_t crc = header.get<uint32_t>();
  IPAQ_CHECK_FORMAT(length == header.remaining(), "index file: payload length ", length, " but ",
                    header.remaining(), " bytes follow (truncated or corrupted)");
  IPAQ_CHECK_FORMAT(crc32_of(header.position(), length) == crc, "index file: checksum mismatch (corrupted)");
  ByteReader payload(header.position(), length, "index file");
  std::unique_ptr<faiss::Index> index;
  try {
    index = read_node(payload, 0);
  } catch (const FormatError&) {
    throw;
  } catch (const Error& e) {
    // Constructors reject values a valid writer never produces: report them as a corrupted file.
    throw FormatError(format_message("index file: inconsistent content: ", e.what()));
  }
  payload.expect_end();
  return index;
}

std::unique_ptr<faiss::Index> read_index(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  IPAQ_CHECK(f.good(), IoError, "read_index: cannot open '", path, "'");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  IPAQ_CHECK(!f.bad(), IoError, "read_index: reading '", path, "' failed");
  return read_index_bytes(bytes);
}

}  // namespace ipaq
