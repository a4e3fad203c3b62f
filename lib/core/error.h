// ipaq error types.
//
// Every failure the library reports is an exception derived from ipaq::Error, whose what() names the
// problem (which argument, which file, which limit). The library never prints and never calls exit();
// the `ipaq` command prints what() and exits non-zero. Exceptions raised inside OpenMP regions are
// captured and rethrown on the calling thread (see lib/core/omp_exceptions.h).
#pragma once

#include <stdexcept>
#include <string>

namespace ipaq {

// Root of all ipaq exceptions.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A caller-supplied value is out of range or malformed (wrong dimension, NaN/Inf, k <= 0, bits out of
// range, unknown descriptor or id).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A file could not be opened, read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

// Persisted bytes are truncated, corrupted, of a foreign format, or of an unsupported version.
class FormatError : public Error {
 public:
  using Error::Error;
};

// The durable store failed (RocksDB status translated at the storage boundary), or is locked by another
// process.
class StorageError : public Error {
 public:
  using Error::Error;
};

// An operation that the object does not support in its current state (e.g. search before train).
class StateError : public Error {
 public:
  using Error::Error;
};

// Builds a message from streamable parts: ipaq::format_message("d=", d, " expected ", e).
template <typename... Parts>
std::string format_message(const Parts&... parts);

}  // namespace ipaq

#include <sstream>

namespace ipaq {
template <typename... Parts>
std::string format_message(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}
}  // namespace ipaq

// IPAQ_CHECK(cond, ExceptionType, parts...): throws ExceptionType(format_message(parts...)) unless cond.
#define IPAQ_CHECK(cond, ExceptionType, ...)                          \
  do {                                                                \
    if (!(cond)) throw ExceptionType(::ipaq::format_message(__VA_ARGS__)); \
  } while (0)

#define IPAQ_CHECK_ARG(cond, ...) IPAQ_CHECK(cond, ::ipaq::InvalidArgument, __VA_ARGS__)
#define IPAQ_CHECK_FORMAT(cond, ...) IPAQ_CHECK(cond, ::ipaq::FormatError, __VA_ARGS__)
