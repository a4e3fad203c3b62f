// index_memory: in-memory bytes per vector of ipaq's flat and IVF indexes (issue 4/5 memory layout).
//
// Usage: index_memory <codec descriptor> <d> <n> [flat|ivf]
//   d = 784: the Fashion-MNIST base vectors (repeated up to n); other d: N(0, 1) vectors (seed 1).
// Trains on the first min(n, 10000) vectors, encodes all n (sa_encode), then appends the codes in one
// add_sa_codes call (as a DurableIndex reopen does) and reports the index's arrays in bytes per vector
// (flat: codes / packed sub-codes / side bytes; IVF: FAISS invlists codes + ids, packed lists, side
// lists, L2 terms; IVF256, METRIC_L2) and the growth of the process RSS during the append (the codes
// being appended are allocated before, so they are not counted). Single thread.
#include <faiss/IndexFlat.h>
#include <faiss/invlists/InvertedLists.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "index/index_codes.h"
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
    std::fprintf(stderr, "usage: %s <descriptor> <d> <n> [flat|ivf]\n", argv[0]);
    return 2;
  }
  const std::string desc = argv[1];
  const size_t d = std::stoul(argv[2]), n = std::stoul(argv[3]);
  const bool ivf = argc > 4 && std::string(argv[4]) == "ivf";
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
  ipaq::add_sa_codes(index, static_cast<faiss::Index::idx_t>(n), codes.data(), nullptr);
  const double after = rss_bytes();
  size_t inv = 0, packed = 0, side = 0, terms = 0;
  for (size_t list = 0; list < nlist; ++list) {
    inv += index.invlists->list_size(list) * (index.code_size + sizeof(faiss::Index::idx_t));
    size_t count = 0;
    index.packed_list(list, &count);
    if (index.fastscan_layout() != nullptr) packed += index.fastscan_layout()->packed_bytes(count);
    if (index.fastscan8_layout() != nullptr) packed += index.fastscan8_layout()->packed_bytes(count);
    if (index.uses_fastscan()) side += count * index.codec().lut_side_size();
    index.l2_terms(list, &count);
    terms += count * sizeof(float);
  }
  std::printf("%s IVF%zu d=%zu n=%zu code_size=%zu: invlists codes+ids %.1f + packed %.1f + side %.1f + L2 terms %.1f "
              "= %.1f B/vector; RSS growth %.1f B/vector\n",
              desc.c_str(), nlist, d, n, index.code_size, inv * per, packed * per, side * per, terms * per,
              (inv + packed + side + terms) * per, (after - before) * per);
  return 0;
}
