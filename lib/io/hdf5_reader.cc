// ann-benchmarks HDF5 reader (datasets "train", "test", "neighbors", "distances"), via the libhdf5 C API.
// Built as a stub that throws when CMake did not find HDF5 (IPAQ_HAVE_HDF5 undefined).
#include <algorithm>

#include "lib/core/error.h"
#include "lib/io/format_readers.h"
#include "lib/io/input_file.h"

#ifdef IPAQ_HAVE_HDF5
#include <hdf5.h>
#endif

namespace ipaq::io {

#ifdef IPAQ_HAVE_HDF5

namespace {

// Closes an HDF5 handle on scope exit (hid_t is a plain integer id; `close` is H5Fclose etc.).
class Hdf5Handle {
 public:
  Hdf5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Hdf5Handle() {
    if (id_ >= 0) close_(id_);
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

}  // namespace

ElementMatrix read_hdf5(const std::string& path, const std::string& dataset, size_t max_rows) {
  { InputFile probe(path); }  // IoError for a missing or unreadable file, like every other format.
  // libhdf5 prints its error stack to stderr by default; the library must not print, so silence it.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  IPAQ_CHECK_FORMAT(H5Fis_hdf5(path.c_str()) > 0, path, ": not an HDF5 file");
  Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  IPAQ_CHECK_FORMAT(file.valid(), path, ": cannot open as HDF5 (corrupted or truncated)");
  IPAQ_CHECK_FORMAT(H5Lexists(file.get(), dataset.c_str(), H5P_DEFAULT) > 0, path,
                    ": HDF5 file has no dataset '", dataset, "'");
  Hdf5Handle data(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  IPAQ_CHECK_FORMAT(data.valid(), path, ": cannot open HDF5 dataset '", dataset, "'");
  Hdf5Handle space(H5Dget_space(data.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  IPAQ_CHECK_FORMAT(rank == 1 || rank == 2, path, ": HDF5 dataset '", dataset, "' has rank ", rank,
                    ", expected 1 or 2");
  hsize_t dims[2] = {1, 1};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  uint64_t n = rank == 2 ? dims[0] : 1;
  const uint64_t d = rank == 2 ? dims[1] : dims[0];
  IPAQ_CHECK_FORMAT(n > 0 && d > 0, path, ": HDF5 dataset '", dataset, "' is empty");

  Hdf5Handle stored_type(H5Dget_type(data.get()), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(stored_type.get());
  IPAQ_CHECK_FORMAT(type_class == H5T_FLOAT || type_class == H5T_INTEGER, path, ": HDF5 dataset '",
                    dataset, "' holds neither floats nor integers");
  const ElementType type = type_class == H5T_FLOAT ? ElementType::kFloat32 : ElementType::kInt64;
  const hid_t memory_type = type_class == H5T_FLOAT ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT64;
  // Compressed (chunked) datasets can legitimately exceed the file size, so bound by the dataset's own
  // storage size when it is contiguous; allocation is then only n * d elements as libhdf5 reports them.
  const uint64_t element_bytes = H5Tget_size(stored_type.get());
  const uint64_t storage = H5Dget_storage_size(data.get());
  Hdf5Handle plist(H5Dget_create_plist(data.get()), H5Pclose);
  if (H5Pget_layout(plist.get()) == H5D_CONTIGUOUS) {
    IPAQ_CHECK_FORMAT(element_bytes > 0 && n <= storage / element_bytes / d, path, ": HDF5 dataset '",
                      dataset, "' declares ", n, " x ", d, " elements but stores only ", storage,
                      " bytes (truncated)");
  }
  if (max_rows > 0) n = std::min<uint64_t>(n, max_rows);

  ElementMatrix m;
  m.source = path;
  m.resize(n, d, type);
  hsize_t start[2] = {0, 0};
  hsize_t count[2] = {rank == 2 ? static_cast<hsize_t>(n) : static_cast<hsize_t>(d), static_cast<hsize_t>(d)};
  IPAQ_CHECK_FORMAT(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) >= 0,
                    path, ": cannot select rows of HDF5 dataset '", dataset, "'");
  Hdf5Handle memory_space(H5Screate_simple(rank, count, nullptr), H5Sclose);
  IPAQ_CHECK_FORMAT(H5Dread(data.get(), memory_type, memory_space.get(), space.get(), H5P_DEFAULT,
                            m.bytes.data()) >= 0,
                    path, ": reading HDF5 dataset '", dataset, "' failed (corrupted or truncated)");
  return m;
}

#else

ElementMatrix read_hdf5(const std::string& path, const std::string&, size_t) {
  throw IoError(format_message(path, ": this ipaq build has no HDF5 support (libhdf5-dev not found)"));
}

#endif

}  // namespace ipaq::io
