// index_memory: in-memory bytes per vector of ipaq's flat and IVF indexes (issue 4/5 memory layout).
//
// Usage: index_memory <codec descriptor> <d> <n> [flat|ivf [chunk]]
//   d = 784: the Fashion-MNIST base vectors (repeated up to n); other d: N(0, 1) vectors (seed 1).
// Trains on the first min(n, 10000) vectors, encodes all n (sa_encode), then appends the codes in one
// add_sa_codes call (as a DurableIndex reopen does) and reports the index's arrays in bytes per vector
// (flat: codes / packed sub-codes / side bytes; IVF256, METRIC_L2: ids, FAISS invlists codes (fast scan
// off), packed sub-codes and side bytes (the packed lists, fast scan on), L2 terms) and the growth of the process RSS during the append (the codes
// being appended are allocated before, so they are not counted). Single thread. IVF with `chunk`: the
// codes are appended `chunk` rows per add_sa_codes call (a DurableIndex reopen uses 4096) and the RSS
// growth is also reported after IndexCodecIVF::shrink_to_fit().
#include <faiss/IndexFlat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/index_codes.h"
#include "index/ivf_packed_lists.h"
#include "lib/io/vector_file.h"

namespace {

double rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;
  return 0;
}

std::vector<float> vectors(size_t n, size_t d) {
  std::vector<float> x(n * d);
  if (d == 784) {
    const auto m = ipaq::io::read_vectors("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
    for (size_t i = 0; i < n * d; ++i) x[i] = m.data[i % (m.n * d)];
  } else {
    std::mt19937 rng(1);
    std::normal_distribution<float> g;
    for (auto& v : x) v = g(rng);
  }
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <descriptor> <d> <n> [flat|ivf [chunk]]\n", argv[0]);
    return 2;
  }
  const std::string desc = argv[1];
  const size_t d = std::stoul(argv[2]), n = std::stoul(argv[3]);
  const bool ivf = argc > 4 && std::string(argv[4]) == "ivf";
  const size_t chunk = argc > 5 ? std::stoul(argv[5]) : n;
  std::vector<float> x = vectors(n, d);
  const size_t ntrain = std::min<size_t>(n, 10000);
  const double per = 1.0 / static_cast<double>(n);
  if (!ivf) {
    ipaq::IndexCodecFlat index(ipaq::make_codec(desc, d), faiss::METRIC_L2);
    index.train(static_cast<faiss::Index::idx_t>(ntrain), x.data());
    std::vector<uint8_t> codes(n * index.code_size);
    index.sa_encode(static_cast<faiss::Index::idx_t>(n), x.data(), codes.data());
    std::vector<float>().swap(x);
    const double before = rss_bytes();
    ipaq::add_sa_codes(index, static_cast<faiss::Index::idx_t>(n), codes.data(), nullptr);
    const double after = rss_bytes();
    std::printf("%s flat d=%zu n=%zu code_size=%zu fastscan=%d: codes %.1f + packed %.1f + side %.1f = %.1f B/vector; "
                "RSS growth %.1f B/vector\n",
                desc.c_str(), d, n, index.code_size, int{index.uses_fastscan()}, index.codes.size() * per,
                index.packed_codes().size() * per, index.side_bytes().size() * per, index.storage_bytes_per_vector(),
                (after - before) * per);
    return 0;
  }
  const size_t nlist = 256;
  ipaq::IndexCodecIVF index(std::make_unique<faiss::IndexFlatL2>(static_cast<int>(d)), nlist, ipaq::make_codec(desc, d),
                            faiss::METRIC_L2);
  index.train(static_cast<faiss::Index::idx_t>(ntrain), x.data());
  std::vector<uint8_t> codes(n * index.sa_code_size());
  index.sa_encode(static_cast<faiss::Index::idx_t>(n), x.data(), codes.data());
  std::vector<float>().swap(x);
  const double before = rss_bytes();
  for (size_t first = 0; first < n; first += chunk) {
    ipaq::add_sa_codes(index, static_cast<faiss::Index::idx_t>(std::min(chunk, n - first)),
                       codes.data() + first * index.sa_code_size(), nullptr);
  }
  const double after = rss_bytes();
  index.shrink_to_fit();
  const double shrunk = rss_bytes();
  // FAISS's invlists codes + ids (fast scan off), or the packed lists' ids + packed sub-codes + side bytes.
  size_t ids = 0, inv_codes = 0, packed = 0, side = 0, terms = 0;
  if (const ipaq::PackedInvertedLists* lists = index.packed_lists()) {
    const auto b = lists->bytes();
    ids = b.ids;
    packed = b.packed;
    side = b.side;
  } else {
    for (size_t list = 0; list < nlist; ++list) {
      ids += index.invlists->list_size(list) * sizeof(faiss::Index::idx_t);
      inv_codes += index.invlists->list_size(list) * index.code_size;
    }
  }
  for (size_t list = 0; list < nlist; ++list) {
    size_t count = 0;
    index.l2_terms(list, &count);
    terms += count * sizeof(float);
  }
  std::printf("%s IVF%zu d=%zu n=%zu code_size=%zu fastscan=%d: ids %.1f + invlists codes %.1f + packed %.1f + side %.1f "
              "+ L2 terms %.1f = %.1f B/vector (storage_bytes_per_vector %.1f); RSS growth %.1f B/vector (%zu-row "
              "chunks), %.1f after shrink_to_fit\n",
              desc.c_str(), nlist, d, n, index.code_size, int{index.uses_fastscan()}, ids * per, inv_codes * per,
              packed * per, side * per, terms * per, (ids + inv_codes + packed + side + terms) * per,
              index.storage_bytes_per_vector(), (after - before) * per, chunk, (shrunk - before) * per);
  return 0;
}
