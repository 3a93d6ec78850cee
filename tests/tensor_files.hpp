// Test helpers: readers of .npy and .safetensors files, and a small JSON parser, written from
// the formats' specifications and independently of core/io/npy.hpp and core/io/safetensors.hpp, so
// that the writers' tests do not trust the writers' own idea of the format.
//
//   std::vector<saerl_test::Tensor> ts;  std::string why;  saerl_test::Json meta;
//   REQUIRE_MESSAGE(saerl_test::read_safetensors(path, &ts, &meta, &why), why);
//   const saerl_test::Tensor* w = saerl_test::find(ts, "0.weight");   // w->shape, w->f32(i)
//   saerl_test::Tensor t;  saerl_test::read_npy(path, "name", &t, &why);
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tests/temp_files.hpp"

namespace saerl_test {

// ---- JSON: objects, arrays, strings without escapes, numbers, true/false/null ----

struct Json {
  enum Kind { null, boolean, number, string, array, object } kind = null;
  bool flag = false;
  double num = 0;
  std::string str;
  std::vector<Json> items;          // array elements, or object values
  std::vector<std::string> keys;    // object keys, parallel to items
  const Json* get(const char* key) const {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
};

struct JsonParser {
  const char* p;
  const char* end;
  void space() { while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) ++p; }
  bool word(const char* w) {
    const size_t n = std::strlen(w);
    if (size_t(end - p) < n || std::memcmp(p, w, n) != 0) return false;
    p += n;
    return true;
  }
  bool text(std::string* s) {
    if (p >= end || *p != '"') return false;
    for (++p; p < end && *p != '"'; ++p) {
      if (*p == '\\') return false;
      s->push_back(*p);
    }
    return p < end && *p++ == '"';
  }
  bool value(Json* v) {
    space();
    if (p >= end) return false;
    if (*p == '{' || *p == '[') {
      const bool obj = *p++ == '{';
      v->kind = obj ? Json::object : Json::array;
      space();
      if (p < end && *p == (obj ? '}' : ']')) return ++p, true;
      for (;;) {
        space();
        if (obj) {
          v->keys.emplace_back();
          if (!text(&v->keys.back())) return false;
          space();
          if (p >= end || *p++ != ':') return false;
        }
        v->items.emplace_back();
        if (!value(&v->items.back())) return false;
        space();
        if (p < end && *p == ',') { ++p; continue; }
        return p < end && *p++ == (obj ? '}' : ']');
      }
    }
    if (*p == '"') return v->kind = Json::string, text(&v->str);
    if (word("true")) return v->kind = Json::boolean, v->flag = true, true;
    if (word("false")) return v->kind = Json::boolean, true;
    if (word("null")) return v->kind = Json::null, true;
    char* stop = nullptr;
    const std::string rest(p, size_t(end - p) < 64 ? size_t(end - p) : 64);
    v->num = std::strtod(rest.c_str(), &stop);
    if (stop == rest.c_str()) return false;
    p += stop - rest.c_str();
    v->kind = Json::number;
    return true;
  }
};

// Parses the whole of text[0..n) (surrounding whitespace allowed).
inline bool parse_json(const char* text, size_t n, Json* out) {
  JsonParser parser{text, text + n};
  if (!parser.value(out)) return false;
  parser.space();
  return parser.p == parser.end;
}

// ---- tensors ----

struct Tensor {
  std::string name, dtype;  // dtype in safetensors' spelling: "F32", "F64", "I32"
  std::vector<uint64_t> shape;
  std::vector<unsigned char> bytes;
  uint64_t count() const {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    return n;
  }
  float f32(size_t i) const {
    float v;
    std::memcpy(&v, bytes.data() + 4 * i, 4);  // little-endian host, as the tests' machines
    return v;
  }
  int32_t i32(size_t i) const {
    int32_t v;
    std::memcpy(&v, bytes.data() + 4 * i, 4);
    return v;
  }
};

inline const Tensor* find(const std::vector<Tensor>& ts, const char* name) {
  for (const Tensor& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}

inline int dtype_size(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  return 0;
}

// A .safetensors file: u64 LE header length N, N bytes of JSON, then the data. Checks that
// every entry's byte range matches its dtype and shape, and that the ranges tile the data
// exactly, in order, without gaps or overlaps.
inline bool read_safetensors(const std::string& path, std::vector<Tensor>* out, Json* metadata, std::string* why) {
  const std::vector<unsigned char> b = read_file(path);
  if (b.size() < 8) return *why = "shorter than 8 bytes", false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | b[size_t(i)];
  if (n > b.size() - 8) return *why = "header length past the end", false;
  if ((8 + n) % 8 != 0) return *why = "data not 8-byte aligned", false;
  Json header;
  if (!parse_json(reinterpret_cast<const char*>(b.data() + 8), size_t(n), &header) || header.kind != Json::object)
    return *why = "header is not a JSON object", false;
  if (b[8] != '{') return *why = "header does not start with '{'", false;
  const uint64_t data_size = b.size() - 8 - n;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  out->clear();
  for (size_t i = 0; i < header.keys.size(); ++i) {
    const Json& e = header.items[i];
    if (header.keys[i] == "__metadata__") {
      if (e.kind != Json::object) return *why = "__metadata__ is not an object", false;
      for (const Json& v : e.items)
        if (v.kind != Json::string) return *why = "__metadata__ value is not a string", false;
      if (metadata) *metadata = e;
      continue;
    }
    const Json *dtype = e.get("dtype"), *shape = e.get("shape"), *offsets = e.get("data_offsets");
    if (!dtype || dtype->kind != Json::string || !shape || shape->kind != Json::array || !offsets ||
        offsets->kind != Json::array || offsets->items.size() != 2 || e.keys.size() != 3)
      return *why = "entry " + header.keys[i] + " lacks dtype, shape or data_offsets", false;
    Tensor t;
    t.name = header.keys[i];
    t.dtype = dtype->str;
    for (const Json& d : shape->items) t.shape.push_back(uint64_t(d.num));
    const uint64_t begin = uint64_t(offsets->items[0].num), end = uint64_t(offsets->items[1].num);
    if (dtype_size(t.dtype) == 0) return *why = "unknown dtype " + t.dtype, false;
    if (end < begin || end > data_size || end - begin != t.count() * uint64_t(dtype_size(t.dtype)))
      return *why = "entry " + t.name + ": byte range does not match dtype and shape", false;
    t.bytes.assign(b.begin() + long(8 + n + begin), b.begin() + long(8 + n + end));
    ranges.emplace_back(begin, end);
    out->push_back(t);
  }
  std::sort(ranges.begin(), ranges.end());
  uint64_t at = 0;
  for (const auto& r : ranges) {
    if (r.first != at) return *why = "gap or overlap between tensors", false;
    at = r.second;
  }
  if (at != data_size) return *why = "bytes after the last tensor", false;
  return true;
}

// A version 1.0 .npy file: "\x93NUMPY", 1, 0, u16 LE header length, a Python dict padded to a
// multiple of 64 and ended by '\n', then count * item size bytes. dtype is given in
// safetensors' spelling ("<f4" -> "F32", "<i4" -> "I32", "<f8" -> "F64").
inline bool read_npy(const std::string& path, const std::string& name, Tensor* out, std::string* why) {
  const std::vector<unsigned char> b = read_file(path);
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY\x01\x00", 8) != 0) return *why = path + ": bad preamble", false;
  const size_t len = size_t(b[8]) | size_t(b[9]) << 8;
  if (10 + len > b.size() || (10 + len) % 64 != 0 || b[10 + len - 1] != '\n')
    return *why = path + ": header length, alignment or final newline wrong", false;
  const std::string dict(b.begin() + 10, b.begin() + long(10 + len));
  const size_t d = dict.find("'descr': '"), f = dict.find("'fortran_order': False"), s = dict.find("'shape': (");
  if (dict[0] != '{' || d == std::string::npos || f == std::string::npos || s == std::string::npos)
    return *why = path + ": dict lacks descr, fortran_order False or shape", false;
  const std::string descr = dict.substr(d + 10, 3);
  Tensor t;
  t.name = name;
  t.dtype = descr == "<f4" ? "F32" : descr == "<i4" ? "I32" : descr == "<f8" ? "F64" : "?";
  const size_t close = dict.find(')', s);
  std::string dims = dict.substr(s + 10, close - s - 10);
  for (size_t i = 0; i < dims.size();) {
    if (dims[i] < '0' || dims[i] > '9') { ++i; continue; }
    uint64_t v = 0;
    while (i < dims.size() && dims[i] >= '0' && dims[i] <= '9') v = v * 10 + uint64_t(dims[i++] - '0');
    t.shape.push_back(v);
  }
  if (t.shape.size() == 1 && dims.find(',') == std::string::npos) return *why = path + ": 1-tuple without comma", false;
  if (dtype_size(t.dtype) == 0 || b.size() - 10 - len != t.count() * uint64_t(dtype_size(t.dtype)))
    return *why = path + ": dtype unknown or byte count does not match the shape", false;
  t.bytes.assign(b.begin() + long(10 + len), b.end());
  *out = t;
  return true;
}

}  // namespace saerl_test
