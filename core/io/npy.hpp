// saerl/core/io/npy.hpp — write arrays as NumPy .npy files, and read .npy headers back.
//
// So that a Python user can open saerl's weights and activations with a bare `numpy.load`.
// Format version 1.0 (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
//
//   offset  size  field
//   0       6     magic "\x93NUMPY"
//   6       2     version: major 1, minor 0
//   8       2     u16 little-endian header length H
//   10      H     ASCII dict "{'descr': '<f4', 'fortran_order': False, 'shape': (R, C), }",
//                 padded with spaces and ended by '\n' so that 10 + H is a multiple of 64
//   10 + H  S*n   the elements, row-major, little-endian (S = item size, n = product of shape)
//
// Saving writes "<path>.tmp" and renames it over <path>, as core/io/serialize.hpp does.
// read_npy_header() checks a file's header and that its size matches it; it also reads
// versions 2.0 and 3.0 (u32 header length at offset 8, dict at 12). parse_npy_header() does the
// same on bytes in memory (for fuzzing): it never reads outside [bytes, bytes + n).
//
//   const uint64_t shape[2] = {1000, 128};
//   saerl::Status s = saerl::save_npy("out/acts.npy", acts, shape, 2);   // float, double or int32
//   saerl::NpyHeader h;
//   if (s.ok()) s = saerl::read_npy_header("out/acts.npy", &h);        // h.descr "<f4", h.shape
//   if (!s.ok()) std::fprintf(stderr, "error: %s\n", s.message);
//   // Python: numpy.load("out/acts.npy").shape == (1000, 128)
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "serialize.hpp"  // detail::put_le, detail::get_le, detail::FileCloser (and little-endian only)
#include "../base/status.hpp"

namespace saerl {

constexpr int kNpyMaxDims = 4;
constexpr size_t kNpyMaxHeaderBytes = 4096;  // longer dicts are rejected (numpy writes ~128)

struct NpyHeader {
  int major = 0, minor = 0;    // format version
  char descr[16] = {0};        // dtype string, e.g. "<f4"
  int item_size = 0;           // bytes per element, from descr: "<f4" -> 4
  bool fortran_order = false;  // true: column-major data
  int ndim = 0;                // 0 for a scalar
  uint64_t shape[kNpyMaxDims] = {0};
  uint64_t count = 0;          // product of shape (1 when ndim = 0)
  uint64_t data_offset = 0;    // bytes before the first element
};

template <class T>
constexpr const char* npy_descr() {
  static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value ||
                    std::is_same<T, int32_t>::value,
                "save_npy writes float, double or int32_t elements");
  return std::is_same<T, float>::value ? "<f4" : std::is_same<T, double>::value ? "<f8" : "<i4";
}

namespace detail {

// A read position in the header's dict text, which it never moves past `end`.
struct NpyCursor {
  const char* p;
  const char* end;
  void skip_spaces() { while (p < end && (*p == ' ' || *p == '\t')) ++p; }
  bool eat(char c) {
    skip_spaces();
    if (p >= end || *p != c) return false;
    ++p;
    return true;
  }
  bool eat_word(const char* w) {
    skip_spaces();
    size_t n = std::strlen(w);
    if (static_cast<size_t>(end - p) < n || std::memcmp(p, w, n) != 0) return false;
    p += n;
    return true;
  }
  // A Python string literal in ' or " quotes, without escapes, into out (at most cap - 1 chars).
  bool string(char* out, size_t cap) {
    skip_spaces();
    if (p >= end || (*p != '\'' && *p != '"')) return false;
    const char quote = *p++;
    size_t len = 0;
    for (; p < end && *p != quote; ++p) {
      if (*p == '\\' || len + 1 >= cap) return false;
      out[len++] = *p;
    }
    out[len] = '\0';
    if (p >= end) return false;  // no closing quote
    ++p;
    return true;
  }
  // A non-negative integer; Python 2's numpy wrote a trailing L ("3L").
  bool integer(uint64_t* v) {
    skip_spaces();
    if (p >= end || *p < '0' || *p > '9') return false;
    *v = 0;
    for (; p < end && *p >= '0' && *p <= '9'; ++p) {
      const uint64_t digit = static_cast<uint64_t>(*p - '0');
      if (*v > (UINT64_MAX - digit) / 10) return false;
      *v = *v * 10 + digit;
    }
    if (p < end && *p == 'L') ++p;
    return true;
  }
};

// "<f4" -> 4: a byte-order mark (< > | =), a kind letter, the item size in digits.
inline int npy_item_size(const char* descr) {
  if (std::strchr("<>|=", descr[0]) == nullptr || descr[0] == '\0') return 0;
  if (std::strchr("biufc", descr[1]) == nullptr || descr[1] == '\0' || descr[2] == '\0') return 0;
  int size = 0;
  for (const char* c = descr + 2; *c; ++c) {
    if (*c < '0' || *c > '9' || size > 1000) return 0;
    size = size * 10 + (*c - '0');
  }
  return size;
}

// *count = the product of shape[0..ndim), if it is at most limit (a zero dimension makes any
// other dimension fine: numpy accepts shape (10**15, 10**15, 0)).
inline bool npy_count(const uint64_t* shape, int ndim, uint64_t limit, uint64_t* count) {
  *count = 1;
  for (int i = 0; i < ndim; ++i)
    if (shape[i] == 0) {
      *count = 0;
      return true;
    }
  for (int i = 0; i < ndim; ++i) {
    if (*count > limit / shape[i]) return false;
    *count *= shape[i];
  }
  return true;
}

inline Status npy_bad_dict(const char* what) {
  return Status::error(StatusCode::invalid_argument, "npy header: malformed dict: %s", what);
}

}  // namespace detail

// Parses the magic, version and header dict at the start of bytes[0..n); n may be the
// whole file or any prefix that holds the header. Checks that the three keys each appear
// once, descr is a plain dtype, the shape fits kNpyMaxDims and its byte count fits in 64 bits.
inline Status parse_npy_header(const unsigned char* bytes, size_t n, NpyHeader* out) {
  static const unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes == nullptr || out == nullptr)
    return Status::error(StatusCode::invalid_argument, "parse_npy_header: null argument");
  if (std::memcmp(bytes, kMagic, n < 6 ? n : 6) != 0)
    return Status::error(StatusCode::bad_magic, "not a .npy file (bad magic)");
  if (n < 10) return Status::error(StatusCode::truncated, "npy: truncated: file ends inside the preamble");
  NpyHeader h;
  h.major = bytes[6];
  h.minor = bytes[7];
  if (h.major < 1 || h.major > 3 || h.minor != 0)
    return Status::error(StatusCode::bad_version, "npy: format version %d.%d, this reader reads 1.0-3.0",
                         h.major, h.minor);
  const size_t start = h.major == 1 ? 10 : 12;
  if (n < start) return Status::error(StatusCode::truncated, "npy: truncated: file ends inside the preamble");
  const uint64_t len = detail::get_le(bytes + 8, h.major == 1 ? 2 : 4);
  if (len > kNpyMaxHeaderBytes)
    return Status::error(StatusCode::invalid_argument, "npy: header of %llu bytes, at most %zu accepted",
                         static_cast<unsigned long long>(len), kNpyMaxHeaderBytes);
  if (n - start < len)
    return Status::error(StatusCode::truncated, "npy: truncated: file ends inside the header");
  h.data_offset = start + len;

  const char* text = reinterpret_cast<const char*>(bytes + start);
  if (len == 0 || text[len - 1] != '\n') return detail::npy_bad_dict("it does not end with '\\n'");
  detail::NpyCursor c{text, text + len - 1};
  if (!c.eat('{')) return detail::npy_bad_dict("no '{'");
  bool seen_descr = false, seen_order = false, seen_shape = false;
  while (!c.eat('}')) {
    char key[16];
    if (!c.string(key, sizeof key)) return detail::npy_bad_dict("expected a quoted key or '}'");
    if (!c.eat(':')) return detail::npy_bad_dict("expected ':' after a key");
    if (std::strcmp(key, "descr") == 0 && !seen_descr) {
      seen_descr = true;
      if (!c.string(h.descr, sizeof h.descr))
        return detail::npy_bad_dict("descr is not a dtype string of at most 15 characters");
    } else if (std::strcmp(key, "fortran_order") == 0 && !seen_order) {
      seen_order = true;
      if (c.eat_word("True")) h.fortran_order = true;
      else if (!c.eat_word("False")) return detail::npy_bad_dict("fortran_order is not True or False");
    } else if (std::strcmp(key, "shape") == 0 && !seen_shape) {
      seen_shape = true;
      if (!c.eat('(')) return detail::npy_bad_dict("shape is not a tuple");
      bool trailing_comma = false;
      while (!c.eat(')')) {
        if (h.ndim == kNpyMaxDims)
          return Status::error(StatusCode::bad_shape, "npy: shape has more than %d dimensions", kNpyMaxDims);
        if (!c.integer(&h.shape[h.ndim++])) return detail::npy_bad_dict("shape entry is not an integer");
        trailing_comma = c.eat(',');
        if (!trailing_comma && !c.eat(')')) return detail::npy_bad_dict("expected ',' or ')' in shape");
        if (!trailing_comma) break;
      }
      if (h.ndim == 1 && !trailing_comma) return detail::npy_bad_dict("a 1-tuple needs a comma: (n,)");
    } else {
      return detail::npy_bad_dict("unknown or repeated key");
    }
    if (!c.eat(',')) {
      if (!c.eat('}')) return detail::npy_bad_dict("expected ',' or '}'");
      break;
    }
  }
  if (!seen_descr || !seen_order || !seen_shape)
    return detail::npy_bad_dict("missing one of 'descr', 'fortran_order', 'shape'");
  for (c.skip_spaces(); c.p < c.end && *c.p == '\n'; c.skip_spaces()) ++c.p;  // padding
  if (c.p != c.end) return detail::npy_bad_dict("text after the closing '}'");

  h.item_size = detail::npy_item_size(h.descr);
  if (h.item_size == 0)
    return Status::error(StatusCode::bad_scalar, "npy: descr '%s' is not a plain numeric dtype", h.descr);
  if (!detail::npy_count(h.shape, h.ndim, (UINT64_MAX - h.data_offset) / static_cast<uint64_t>(h.item_size),
                         &h.count))
    return Status::error(StatusCode::bad_shape, "npy: shape's byte count overflows 64 bits");
  *out = h;
  return Status::success();
}

// Reads and checks a .npy file's header, and that the file holds exactly count * item_size
// bytes of data after it (truncated if fewer, bad_shape if more).
inline Status read_npy_header(const char* path, NpyHeader* out) {
  if (path == nullptr || out == nullptr)
    return Status::error(StatusCode::invalid_argument, "read_npy_header: null argument");
  detail::FileCloser file{std::fopen(path, "rb")};
  if (!file.f) return Status::error(StatusCode::io_error, "%s: cannot open for reading", path);
  unsigned char buf[12 + kNpyMaxHeaderBytes];
  const size_t got = std::fread(buf, 1, sizeof buf, file.f);
  NpyHeader h;
  Status s = parse_npy_header(buf, got, &h);
  if (!s.ok()) return Status::error(s.code, "%s: %s", path, s.message);
  if (std::fseek(file.f, 0, SEEK_END) != 0)
    return Status::error(StatusCode::io_error, "%s: cannot seek", path);
  const long size = std::ftell(file.f);
  const uint64_t want = h.data_offset + h.count * static_cast<uint64_t>(h.item_size);
  if (size < 0) return Status::error(StatusCode::io_error, "%s: cannot tell its size", path);
  if (static_cast<uint64_t>(size) != want)
    return Status::error(static_cast<uint64_t>(size) < want ? StatusCode::truncated : StatusCode::bad_shape,
                         "%s: %s: the header promises %llu bytes, the file has %ld", path,
                         static_cast<uint64_t>(size) < want ? "truncated" : "extra bytes",
                         static_cast<unsigned long long>(want), size);
  *out = h;
  return Status::success();
}

// Writes data (row-major, shape[0] x ... x shape[ndim-1], ndim 1..kNpyMaxDims) as a .npy file.
template <class T>
Status save_npy(const char* path, const T* data, const uint64_t* shape, int ndim) {
  if (path == nullptr || shape == nullptr)
    return Status::error(StatusCode::invalid_argument, "save_npy: null argument");
  if (ndim < 1 || ndim > kNpyMaxDims)
    return Status::error(StatusCode::invalid_argument, "%s: ndim %d, save_npy takes 1..%d", path, ndim,
                         kNpyMaxDims);
  uint64_t count = 0;
  if (!detail::npy_count(shape, ndim, SIZE_MAX / sizeof(T), &count))
    return Status::error(StatusCode::invalid_argument, "%s: shape too large", path);
  if (count > 0 && data == nullptr)
    return Status::error(StatusCode::invalid_argument, "%s: data is null", path);
  // The dict; a 1-tuple is written "(n,)" as Python does.
  char dims[kNpyMaxDims * 24 + 4];
  int len = 0;
  for (int i = 0; i < ndim; ++i)
    len += std::snprintf(dims + len, sizeof dims - static_cast<size_t>(len), i ? ", %llu" : "%llu",
                         static_cast<unsigned long long>(shape[i]));
  if (ndim == 1) std::snprintf(dims + len, sizeof dims - static_cast<size_t>(len), ",");
  unsigned char head[256];  // the dict is at most ~150 characters: the padded header fits in 192
  const char* format = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }";
  char* dict = reinterpret_cast<char*>(head + 10);
  int dict_len = std::snprintf(dict, sizeof head - 10, format, npy_descr<T>(), dims);
  // pad with spaces so that 10 + dict + pad + '\n' is a multiple of 64
  size_t total = 10 + static_cast<size_t>(dict_len) + 1;
  total += (64 - total % 64) % 64;
  std::memset(head + 10 + dict_len, ' ', total - 10 - static_cast<size_t>(dict_len));
  head[total - 1] = '\n';
  std::memcpy(head, "\x93NUMPY\x01\x00", 8);
  detail::put_le(head + 8, total - 10, 2);

  const size_t body = static_cast<size_t>(count) * sizeof(T);
  const detail::Chunk chunks[2] = {{head, total}, {data, body}};
  return detail::write_atomically(path, chunks, 2);
}

}  // namespace saerl
