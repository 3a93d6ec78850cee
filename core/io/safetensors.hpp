// saerl/core/io/safetensors.hpp — write named tensors as one .safetensors file, the format that
// safetensors.torch.load_file, safetensors.numpy.load_file, Hugging Face and SAELens read.
//
// Format (https://github.com/huggingface/safetensors):
//
//   offset  size  field
//   0       8     u64 little-endian N, the header's length in bytes
//   8       N     JSON: {"<name>": {"dtype": "F32", "shape": [R, C], "data_offsets": [b, e]}, ...,
//                        "__metadata__": {"<key>": "<value>", ...}}
//                 padded with spaces so that 8 + N is a multiple of 8
//   8 + N   ...   the tensors' bytes, row-major, little-endian, one after another in the order
//                 given; tensor t occupies [8 + N + b, 8 + N + e)
//
//   const uint64_t shape[2] = {128, 75};
//   saerl::SafeTensor t[2] = {saerl::SafeTensor::of("0.weight", w, shape, 2),
//                             saerl::SafeTensor::of("0.bias", b, shape, 1)};
//   const char* meta[2] = {"format", "pt"};                        // key, value pairs (optional)
//   saerl::Status s = saerl::save_safetensors("dqn.safetensors", t, 2, meta, 1);
//   // Python: safetensors.torch.load_file("dqn.safetensors")["0.weight"].shape == (128, 75)
//
// Names and metadata are written as JSON strings without escapes, so they may not hold '"',
// '\\' or control characters (invalid_argument). Saving is atomic (core/io/serialize.hpp). No heap:
// the header is built in a fixed buffer of kSafetensorsMaxHeader bytes.
#pragma once
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "serialize.hpp"  // detail::put_le, detail::write_atomically
#include "../base/status.hpp"

namespace saerl {

constexpr int kSafetensorsMaxTensors = 32;
constexpr int kSafetensorsMaxDims = 4;
constexpr size_t kSafetensorsMaxHeader = 8192;

template <class T>
constexpr const char* safetensors_dtype() {
  static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value ||
                    std::is_same<T, int32_t>::value,
                "save_safetensors writes float, double or int32_t elements");
  return std::is_same<T, float>::value ? "F32" : std::is_same<T, double>::value ? "F64" : "I32";
}

// One tensor to write: where its elements are, and its name, dtype and shape.
struct SafeTensor {
  const char* name = nullptr;
  const char* dtype = nullptr;  // "F32", "F64" or "I32"
  size_t item_size = 0;
  const void* data = nullptr;
  int ndim = 0;
  uint64_t shape[kSafetensorsMaxDims] = {0};

  template <class T>
  static SafeTensor of(const char* name, const T* data, const uint64_t* shape, int ndim) {
    SafeTensor t;
    t.name = name;
    t.dtype = safetensors_dtype<T>();
    t.item_size = sizeof(T);
    t.data = data;
    t.ndim = ndim;
    for (int i = 0; i < ndim && i < kSafetensorsMaxDims; ++i) t.shape[i] = shape[i];
    return t;
  }
  // Bytes of data: item_size * product of shape (0 if it overflows, with *ok false).
  uint64_t bytes(bool* ok) const {
    uint64_t n = item_size;
    for (int i = 0; i < ndim; ++i) {
      if (shape[i] != 0 && n > UINT64_MAX / shape[i]) return *ok = false, 0;
      n *= shape[i];
    }
    return n;
  }
};

namespace detail {

// A string that can go between JSON quotes as it is.
inline bool plain_json_string(const char* s) {
  if (s == nullptr || *s == '\0') return false;
  for (; *s; ++s)
    if (*s == '"' || *s == '\\' || static_cast<unsigned char>(*s) < 0x20) return false;
  return true;
}

// Appends printf-style text to buf[0..cap) at *len; false once it no longer fits.
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
inline bool append(char* buf, size_t cap, size_t* len, const char* format, ...) {
  if (*len >= cap) return false;
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buf + *len, cap - *len, format, args);
  va_end(args);
  if (n < 0 || static_cast<size_t>(n) >= cap - *len) return *len = cap, false;
  *len += static_cast<size_t>(n);
  return true;
}

}  // namespace detail

// Writes tensors[0..n) and the metadata (pairs of key, value strings: meta[2i], meta[2i + 1])
// to path. Names must be distinct and not "__metadata__"; every tensor 0..4-dimensional.
inline Status save_safetensors(const char* path, const SafeTensor* tensors, int n, const char* const* meta = nullptr,
                               int meta_pairs = 0) {
  if (path == nullptr || (n > 0 && tensors == nullptr) || (meta_pairs > 0 && meta == nullptr))
    return Status::error(StatusCode::invalid_argument, "save_safetensors: null argument");
  if (n < 0 || n > kSafetensorsMaxTensors || meta_pairs < 0)
    return Status::error(StatusCode::invalid_argument, "%s: %d tensors, at most %d", path, n, kSafetensorsMaxTensors);
  char header[kSafetensorsMaxHeader];
  size_t len = 0;
  uint64_t offset = 0;
  bool fits = detail::append(header, sizeof header, &len, "{");
  for (int t = 0; t < n; ++t) {
    const SafeTensor& x = tensors[t];
    if (!detail::plain_json_string(x.name) || std::strcmp(x.name, "__metadata__") == 0)
      return Status::error(StatusCode::invalid_argument, "%s: tensor %d: empty or unusable name", path, t);
    for (int u = 0; u < t; ++u)
      if (std::strcmp(tensors[u].name, x.name) == 0)
        return Status::error(StatusCode::invalid_argument, "%s: tensor name '%s' given twice", path, x.name);
    if (x.ndim < 0 || x.ndim > kSafetensorsMaxDims || x.dtype == nullptr || x.item_size == 0)
      return Status::error(StatusCode::invalid_argument, "%s: tensor '%s': bad dtype or %d dimensions", path,
                           x.name, x.ndim);
    bool ok = true;
    const uint64_t bytes = x.bytes(&ok);
    if (!ok || bytes > SIZE_MAX || offset > UINT64_MAX - bytes)
      return Status::error(StatusCode::invalid_argument, "%s: tensor '%s' too large", path, x.name);
    if (bytes > 0 && x.data == nullptr)
      return Status::error(StatusCode::invalid_argument, "%s: tensor '%s': data is null", path, x.name);
    fits = fits && detail::append(header, sizeof header, &len, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", t ? "," : "",
                                  x.name, x.dtype);
    for (int i = 0; i < x.ndim; ++i)
      fits = fits && detail::append(header, sizeof header, &len, i ? ",%llu" : "%llu",
                                    static_cast<unsigned long long>(x.shape[i]));
    fits = fits && detail::append(header, sizeof header, &len, "],\"data_offsets\":[%llu,%llu]}",
                                  static_cast<unsigned long long>(offset), static_cast<unsigned long long>(offset + bytes));
    offset += bytes;
  }
  if (meta_pairs > 0) {
    fits = fits && detail::append(header, sizeof header, &len, "%s\"__metadata__\":{", n ? "," : "");
    for (int i = 0; i < meta_pairs; ++i) {
      if (!detail::plain_json_string(meta[2 * i]) || meta[2 * i + 1] == nullptr ||
          (*meta[2 * i + 1] && !detail::plain_json_string(meta[2 * i + 1])))
        return Status::error(StatusCode::invalid_argument, "%s: metadata pair %d: unusable key or value", path, i);
      fits = fits && detail::append(header, sizeof header, &len, "%s\"%s\":\"%s\"", i ? "," : "", meta[2 * i],
                                    meta[2 * i + 1]);
    }
    fits = fits && detail::append(header, sizeof header, &len, "}");
  }
  fits = fits && detail::append(header, sizeof header, &len, "}");
  while (fits && len % 8 != 0) fits = detail::append(header, sizeof header, &len, " ");
  if (!fits)
    return Status::error(StatusCode::invalid_argument, "%s: header longer than %zu bytes", path, kSafetensorsMaxHeader);

  unsigned char size_le[8];
  detail::put_le(size_le, len, 8);
  detail::Chunk chunks[2 + kSafetensorsMaxTensors];
  chunks[0] = {size_le, 8};
  chunks[1] = {header, len};
  bool ok = true;
  for (int t = 0; t < n; ++t) chunks[2 + t] = {tensors[t].data, static_cast<size_t>(tensors[t].bytes(&ok))};
  return detail::write_atomically(path, chunks, 2 + n);
}

}  // namespace saerl
