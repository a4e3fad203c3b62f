#include "tools/json_writer.h"

#include <cmath>
#include <cstdio>

namespace ipaq::cli {

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

void JsonWriter::open(char bracket) {
  before_value();
  out_ += bracket;
  first_.push_back(true);
}

void JsonWriter::close(char bracket) {
  out_ += bracket;
  first_.pop_back();
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(const std::string& name) {
  value(name);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::value(const std::string& s) {
  before_value();
  out_ += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out_ += buf;
    } else {
      out_ += static_cast<char>(c);
    }
  }
  out_ += '"';
}

void JsonWriter::value(double v) {
  before_value();
  if (!std::isfinite(v)) {
    out_ += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  out_ += buf;
}

void JsonWriter::value(int64_t v) {
  before_value();
  out_ += std::to_string(v);
}

void JsonWriter::value(uint64_t v) {
  before_value();
  out_ += std::to_string(v);
}

void JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
}

}  // namespace ipaq::cli
