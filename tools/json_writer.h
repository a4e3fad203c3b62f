// JsonWriter: a minimal streaming JSON writer for the `ipaq` command's --json outputs.
//
// Usage: w.begin_object(); w.field("k", 10); w.end_object(); std::string s = w.str();
// Commas are inserted automatically; strings are escaped (", \, control characters); non-finite
// doubles are written as null (JSON has no NaN). The caller keeps begin/end balanced. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ipaq::cli {

class JsonWriter {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(const std::string& name);
  void value(const std::string& s);
  void value(const char* s) { value(std::string(s)); }
  void value(double v);
  void value(int64_t v);
  void value(int v) { value(static_cast<int64_t>(v)); }
  void value(uint64_t v);
  void value(bool v);
  // key(name) then value(v).
  template <typename T>
  void field(const std::string& name, const T& v) {
    key(name);
    value(v);
  }
  const std::string& str() const { return out_; }

 private:
  void before_value();
  void open(char bracket);
  void close(char bracket);
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace ipaq::cli
