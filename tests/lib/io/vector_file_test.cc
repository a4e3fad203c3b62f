// Tests of lib/io/vector_file.h: every format read from small files built byte by byte here (never by the
// writer under test, except in the round-trip tests), every malformed case, and the shared datasets.
#include "lib/io/vector_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lib/core/error.h"

#ifdef IPAQ_HAVE_HDF5
#include <hdf5.h>
#endif

namespace ipaq::io {
namespace {

namespace fs = std::filesystem;

class VectorFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ipaq_io_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  std::string write_gzip(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    gzFile gz = gzopen(path.c_str(), "wb");
    gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(gz);
    return path;
  }
  fs::path dir_;
};

template <typename T>
void append(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void append_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// TEXMEX bytes: rows of int32 d then the values.
template <typename T>
std::string texmex_bytes(const std::vector<std::vector<T>>& rows) {
  std::string out;
  for (const auto& row : rows) {
    append<int32_t>(out, static_cast<int32_t>(row.size()));
    for (T v : row) append<T>(out, v);
  }
  return out;
}

// .npy bytes with the given version, descr, shape text and payload; the header is padded to 64 bytes.
std::string npy_bytes(int major, const std::string& descr, const std::string& shape, const std::string& payload,
                      const std::string& fortran = "False") {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64 != 0) dict.push_back(' ');
  dict.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  if (major == 1) {
    append<uint16_t>(out, static_cast<uint16_t>(dict.size()));
  } else {
    append<uint32_t>(out, static_cast<uint32_t>(dict.size()));
  }
  return out + dict + payload;
}

template <typename T>
std::string payload_of(const std::vector<T>& values) {
  std::string out;
  for (T v : values) append<T>(out, v);
  return out;
}

// IDX uint8 images: magic 0x00000803, n, rows, cols (big-endian), then pixels.
std::string idx_images(uint32_t n, uint32_t rows, uint32_t cols, const std::string& pixels) {
  std::string out;
  append_be32(out, 0x00000803);
  append_be32(out, n);
  append_be32(out, rows);
  append_be32(out, cols);
  return out + pixels;
}

std::string pixel_ramp(size_t count) {
  std::string p;
  for (size_t i = 0; i < count; ++i) p.push_back(static_cast<char>(i % 251));
  return p;
}

// Expects `call` to throw E with a message containing every fragment.
template <typename E, typename F>
void expect_error(F call, const std::vector<std::string>& fragments) {
  try {
    call();
    FAIL() << "no exception; expected one mentioning " << fragments.front();
  } catch (const E& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

// ---------- TEXMEX ----------

TEST_F(VectorFileTest, ReadsFvecs) {
  const auto path = write_file("a.fvecs", texmex_bytes<float>({{1.5f, -2, 3}, {4, 5, 6.25f}}));
  const FloatMatrix m = read_vectors(path);
  EXPECT_EQ(m.n, 2u);
  EXPECT_EQ(m.d, 3u);
  EXPECT_EQ(m.data, (std::vector<float>{1.5f, -2, 3, 4, 5, 6.25f}));
  EXPECT_EQ(m.row(1)[2], 6.25f);
}

TEST_F(VectorFileTest, ReadsIvecsAsIdsAndBvecsAsFloats) {
  const auto ivecs = write_file("gt.ivecs", texmex_bytes<int32_t>({{7, -1}, {3, 2147483647}}));
  const IntMatrix ids = read_ids(ivecs);
  EXPECT_EQ(ids.n, 2u);
  EXPECT_EQ(ids.data, (std::vector<int64_t>{7, -1, 3, 2147483647}));
  const auto bvecs = write_file("b.BVECS", texmex_bytes<uint8_t>({{0, 255, 17, 3}}));
  const FloatMatrix b = read_vectors(bvecs);
  EXPECT_EQ(b.data, (std::vector<float>{0, 255, 17, 3}));
}

TEST_F(VectorFileTest, MaxRowsReadsAPrefix) {
  const auto path = write_file("a.fvecs", texmex_bytes<float>({{1, 2}, {3, 4}, {5, 6}}));
  ReadOptions options;
  options.max_rows = 2;
  const FloatMatrix m = read_vectors(path, options);
  EXPECT_EQ(m.n, 2u);
  EXPECT_EQ(m.data, (std::vector<float>{1, 2, 3, 4}));
}

TEST_F(VectorFileTest, FvecsErrors) {
  std::string good = texmex_bytes<float>({{1, 2, 3}, {4, 5, 6}});
  const auto truncated = write_file("t.fvecs", good.substr(0, good.size() - 2));
  expect_error<FormatError>([&] { read_vectors(truncated); }, {truncated, "not a multiple"});
  const auto empty = write_file("e.fvecs", "");
  expect_error<FormatError>([&] { read_vectors(empty); }, {empty, "empty"});
  // Same total size, but the second record claims a different dimension.
  std::string mixed = texmex_bytes<float>({{1, 2, 3}, {4, 5, 6}});
  mixed[16] = 2;
  const auto mixed_path = write_file("m.fvecs", mixed);
  expect_error<FormatError>([&] { read_vectors(mixed_path); }, {mixed_path, "vector 1 has dimension 2"});
  std::string negative;
  append<int32_t>(negative, -5);
  const auto negative_path = write_file("n.fvecs", negative);
  expect_error<FormatError>([&] { read_vectors(negative_path); }, {negative_path, "-5"});
  const std::string missing = (dir_ / "missing.fvecs").string();
  expect_error<IoError>([&] { read_vectors(missing); }, {missing, "cannot open"});
  const std::string directory = (dir_ / "dir.fvecs").string();
  fs::create_directories(directory);
  expect_error<IoError>([&] { read_vectors(directory); }, {directory, "not a regular file"});
  const auto gz = write_gzip("z.fvecs", good);
  expect_error<FormatError>([&] { read_vectors(gz); }, {gz, "gzip"});
}

TEST_F(VectorFileTest, FloatsAreNotIds) {
  const auto path = write_file("a.fvecs", texmex_bytes<float>({{1, 2}}));
  expect_error<FormatError>([&] { read_ids(path); }, {path, "float32"});
}

TEST_F(VectorFileTest, WriteReadRoundTrip) {
  FloatMatrix m{2, 3, {0.5f, 1, -1, 1e-30f, 3e30f, 0}};
  const std::string fpath = (dir_ / "w.fvecs").string();
  write_fvecs(fpath, m);
  EXPECT_EQ(read_vectors(fpath).data, m.data);
  IntMatrix ids{3, 1, {5, -1, 123456}};
  const std::string ipath = (dir_ / "w.ivecs").string();
  write_ivecs(ipath, ids);
  EXPECT_EQ(read_ids(ipath).data, ids.data);
  IntMatrix too_big{1, 1, {int64_t{1} << 40}};
  expect_error<InvalidArgument>([&] { write_ivecs(ipath, too_big); }, {"does not fit"});
  expect_error<IoError>([&] { write_fvecs((dir_ / "no" / "such" / "dir.fvecs").string(), m); },
                        {"cannot create"});
}

// ---------- .npy ----------

TEST_F(VectorFileTest, ReadsNpyEveryVersionAndType) {
  const auto f4 = write_file("f4.npy", npy_bytes(1, "<f4", "(2, 2)", payload_of<float>({1, 2, 3, 4.5f})));
  EXPECT_EQ(read_vectors(f4).data, (std::vector<float>{1, 2, 3, 4.5f}));
  const auto f8 = write_file("f8.npy", npy_bytes(2, "<f8", "(1, 3)", payload_of<double>({0.25, -8, 1e3})));
  const FloatMatrix m8 = read_vectors(f8);
  EXPECT_EQ(m8.n, 1u);
  EXPECT_EQ(m8.data, (std::vector<float>{0.25f, -8, 1000}));
  const auto u1 = write_file("u1.npy", npy_bytes(3, "|u1", "(3, 1)", payload_of<uint8_t>({9, 0, 200})));
  EXPECT_EQ(read_vectors(u1).data, (std::vector<float>{9, 0, 200}));
  const auto i4 = write_file("i4.npy", npy_bytes(1, "<i4", "(2, 2)", payload_of<int32_t>({1, -2, 3, 4})));
  EXPECT_EQ(read_ids(i4).data, (std::vector<int64_t>{1, -2, 3, 4}));
  const auto i8 = write_file("i8.npy", npy_bytes(1, "<i8", "(1, 1)", payload_of<int64_t>({int64_t{1} << 40})));
  EXPECT_EQ(read_ids(i8).data, (std::vector<int64_t>{int64_t{1} << 40}));
  // A 1-D array is one vector.
  const auto one = write_file("one.npy", npy_bytes(1, "<f4", "(3,)", payload_of<float>({1, 2, 3})));
  const FloatMatrix v = read_vectors(one);
  EXPECT_EQ(v.n, 1u);
  EXPECT_EQ(v.d, 3u);
}

TEST_F(VectorFileTest, NpyErrors) {
  const std::string data = payload_of<float>({1, 2, 3, 4});
  const auto bad_magic = write_file("m.npy", "XNUMPY" + npy_bytes(1, "<f4", "(2, 2)", data).substr(6));
  expect_error<FormatError>([&] { read_vectors(bad_magic); }, {bad_magic, "magic"});
  std::string v9 = npy_bytes(1, "<f4", "(2, 2)", data);
  v9[6] = 9;
  const auto version = write_file("v.npy", v9);
  expect_error<FormatError>([&] { read_vectors(version); }, {version, "version 9"});
  const auto truncated = write_file("t.npy", npy_bytes(1, "<f4", "(2, 2)", data.substr(0, 12)));
  expect_error<FormatError>([&] { read_vectors(truncated); }, {truncated, "truncated"});
  const auto trailing = write_file("x.npy", npy_bytes(1, "<f4", "(2, 2)", data + "junk"));
  expect_error<FormatError>([&] { read_vectors(trailing); }, {trailing, "needs"});
  const auto fortran = write_file("f.npy", npy_bytes(1, "<f4", "(2, 2)", data, "True"));
  expect_error<FormatError>([&] { read_vectors(fortran); }, {fortran, "Fortran"});
  const auto half = write_file("h.npy", npy_bytes(1, "<f2", "(2, 2)", data.substr(0, 8)));
  expect_error<FormatError>([&] { read_vectors(half); }, {half, "'<f2' is not supported"});
  const auto cube = write_file("c.npy", npy_bytes(1, "<f4", "(1, 2, 2)", data));
  expect_error<FormatError>([&] { read_vectors(cube); }, {cube, "3 dimensions"});
  const auto huge = write_file("g.npy", npy_bytes(1, "<f4", "(4000000000, 4000000000)", data));
  expect_error<FormatError>([&] { read_vectors(huge); }, {huge, "truncated"});
  std::string long_header = npy_bytes(2, "<f4", "(2, 2)", "");
  const uint32_t claimed = 1u << 30;
  std::memcpy(long_header.data() + 8, &claimed, 4);
  const auto header = write_file("l.npy", long_header);
  expect_error<FormatError>([&] { read_vectors(header); }, {header, "header length"});
  // qa5 finding 13: a negative shape entry is named as such (was "non-integer entry").
  const auto negative = write_file("n.npy", npy_bytes(1, "<f4", "(2, -2)", data));
  expect_error<FormatError>([&] { read_vectors(negative); }, {negative, "'shape' holds a negative entry"});
  // A finite float64 beyond float32's range is named as that, not as "not finite" after the conversion.
  const auto big = write_file("b.npy", npy_bytes(1, "<f8", "(2, 2)", payload_of<double>({1, 2, 3, -1e300})));
  expect_error<InvalidArgument>([&] { read_vectors(big); },
                                {big, "row 1, column 1: float64 value -1e+300 is outside the float32 range"});
  const auto edge = write_file("e.npy", npy_bytes(1, "<f8", "(1, 2)", payload_of<double>({3.4e38, -3.4e38})));
  EXPECT_EQ(read_vectors(edge).data[1], -3.4e38f);
}

// ---------- IDX ----------

TEST_F(VectorFileTest, ReadsIdxPlainAndGzip) {
  const std::string bytes = idx_images(3, 2, 2, pixel_ramp(12));
  for (const auto& path : {write_file("a-idx3-ubyte", bytes), write_gzip("a-idx3-ubyte.gz", bytes)}) {
    const FloatMatrix m = read_vectors(path);
    EXPECT_EQ(m.n, 3u);
    EXPECT_EQ(m.d, 4u);
    EXPECT_EQ(m.data[5], 5.0f);
    EXPECT_EQ(m.data[11], 11.0f);
  }
  std::string labels;
  append_be32(labels, 0x00000801);
  append_be32(labels, 3);
  labels += std::string("\x01\x09\x00", 3);
  const IntMatrix l = read_ids(write_gzip("l-idx1-ubyte.gz", labels));
  EXPECT_EQ(l.d, 1u);
  EXPECT_EQ(l.data, (std::vector<int64_t>{1, 9, 0}));
}

TEST_F(VectorFileTest, ReadsBigEndianIdxFloats) {
  std::string bytes;
  append_be32(bytes, 0x00000D02);  // float32, rank 2
  append_be32(bytes, 1);
  append_be32(bytes, 2);
  for (float f : {1.5f, -3.0f}) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    append_be32(bytes, bits);
  }
  EXPECT_EQ(read_vectors(write_file("f.idx", bytes)).data, (std::vector<float>{1.5f, -3.0f}));
}

TEST_F(VectorFileTest, IdxErrors) {
  const std::string bytes = idx_images(3, 2, 2, pixel_ramp(12));
  const auto truncated = write_file("t-idx3-ubyte", bytes.substr(0, bytes.size() - 1));
  expect_error<FormatError>([&] { read_vectors(truncated); }, {truncated, "truncated"});
  const auto truncated_gz = write_gzip("t-idx3-ubyte.gz", bytes.substr(0, bytes.size() - 1));
  expect_error<FormatError>([&] { read_vectors(truncated_gz); }, {truncated_gz, "truncated"});
  const auto trailing = write_file("x-idx3-ubyte", bytes + "z");
  expect_error<FormatError>([&] { read_vectors(trailing); }, {trailing, "trailing"});
  std::string bad_type = bytes;
  bad_type[2] = 0x0B;
  const auto type = write_file("y-idx3-ubyte", bad_type);
  expect_error<FormatError>([&] { read_vectors(type); }, {type, "0xb"});
  const auto huge = write_file("h-idx3-ubyte", idx_images(0xffffffffu, 1000, 1000, pixel_ramp(12)));
  expect_error<FormatError>([&] { read_vectors(huge); }, {huge, "more than the file can hold"});
  const auto empty = write_file("e-idx3-ubyte", "");
  expect_error<FormatError>([&] { read_vectors(empty); }, {empty, "empty"});
  // A gzip stream whose deflate data is corrupted.
  const auto good_gz = write_gzip("c-idx3-ubyte.gz", idx_images(64, 28, 28, pixel_ramp(64 * 784)));
  std::string gz;
  {
    std::ifstream in(good_gz, std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 20; i < gz.size() - 20; i += 7) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  const auto corrupt = write_file("d-idx3-ubyte.gz", gz);
  expect_error<FormatError>([&] { read_vectors(corrupt); }, {corrupt});
}

// ---------- raw and dispatch ----------

TEST_F(VectorFileTest, RawFloat32NeedsItsDimension) {
  const auto path = write_file("r.f32", payload_of<float>({1, 2, 3, 4, 5, 6}));
  ReadOptions options;
  expect_error<InvalidArgument>([&] { read_vectors(path, options); }, {path, "dimension"});
  options.raw_dim = 4;
  expect_error<FormatError>([&] { read_vectors(path, options); }, {path, "not a multiple"});
  options.raw_dim = 3;
  const FloatMatrix m = read_vectors(path, options);
  EXPECT_EQ(m.n, 2u);
  EXPECT_EQ(m.data.back(), 6.0f);
}

TEST_F(VectorFileTest, UnknownExtensionIsRejected) {
  const auto path = write_file("a.txt", "1 2 3");
  expect_error<InvalidArgument>([&] { read_vectors(path); }, {path, "unknown vector file format"});
}

// ---------- HDF5 ----------

#ifdef IPAQ_HAVE_HDF5
void write_dataset(hid_t file, const char* name, hid_t type, hsize_t n, hsize_t d, const void* data) {
  hsize_t dims[2] = {n, d};
  hid_t space = H5Screate_simple(2, dims, nullptr);
  hid_t set = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(set);
  H5Sclose(space);
}

TEST_F(VectorFileTest, ReadsAnnBenchmarksHdf5) {
  const std::string path = (dir_ / "ann.hdf5").string();
  const std::vector<float> train{1, 2, 3, 4, 5, 6};
  const std::vector<float> test{7, 8, 9};
  const std::vector<int32_t> neighbors{1, 0};
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_dataset(file, "train", H5T_NATIVE_FLOAT, 2, 3, train.data());
  write_dataset(file, "test", H5T_NATIVE_FLOAT, 1, 3, test.data());
  write_dataset(file, "neighbors", H5T_NATIVE_INT32, 1, 2, neighbors.data());
  H5Fclose(file);

  const FloatMatrix base = read_vectors(path);
  EXPECT_EQ(base.n, 2u);
  EXPECT_EQ(base.data, train);
  ReadOptions options;
  options.dataset = "test";
  EXPECT_EQ(read_vectors(path, options).data, test);
  EXPECT_EQ(read_ids(path).data, (std::vector<int64_t>{1, 0}));
  options.max_rows = 1;
  options.dataset = "train";
  EXPECT_EQ(read_vectors(path, options).data, (std::vector<float>{1, 2, 3}));
  options.dataset = "nope";
  expect_error<FormatError>([&] { read_vectors(path, options); }, {path, "no dataset 'nope'"});
  expect_error<FormatError>([&] { read_ids(path, ReadOptions{"train", 0, 0}); }, {path, "float32"});

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto truncated = write_file("t.hdf5", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(read_vectors(truncated), FormatError);
  const auto foreign = write_file("f.h5", "this is not hdf5 at all");
  expect_error<FormatError>([&] { read_vectors(foreign); }, {foreign, "not an HDF5 file"});
}
#endif

// ---------- shared datasets ----------

TEST(VectorFileDataTest, ReadsSift5kAndFashionMnist) {
  const FloatMatrix sift = read_vectors(std::string(IPAQ_SHARED_DATA_DIR) + "/sift5k/base.fvecs");
  EXPECT_EQ(sift.n, 5000u);
  EXPECT_EQ(sift.d, 128u);
  const std::string fashion = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (!fs::exists(fashion)) GTEST_SKIP() << fashion << " not installed (package dataset-fashion-mnist)";
  const FloatMatrix images = read_vectors(fashion);
  EXPECT_EQ(images.n, 10000u);
  EXPECT_EQ(images.d, 784u);
  float max_pixel = 0;
  for (float v : images.data) max_pixel = std::max(max_pixel, v);
  EXPECT_LE(max_pixel, 255.0f);
  EXPECT_GT(max_pixel, 200.0f);
}

}  // namespace
}  // namespace ipaq::io
