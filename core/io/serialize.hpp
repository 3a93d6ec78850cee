// saerl/core/io/serialize.hpp — save and load one named parameter set as a small checked file.
//
// A file holds one flat array of float or double (a model's parameter block, an activation
// set) with its shape, so a file written for one network cannot be loaded into another.
// Every integer and element is little-endian; hosts of the other byte order are rejected at
// compile time. Byte by byte (n = number of shape entries, S = sizeof(T)):
//
//   offset          size   field
//   0               8      magic "SAERLBIN"
//   8               4      u32 format version (1)
//   12              4      u32 scalar code: 1 = float32, 2 = float64
//   16              4      u32 kind, a four-character code chosen by the caller: fourcc("MLP ")
//   20              4      u32 n, number of shape entries, at most 16
//   24              4n     u32 shape entries
//   24+4n           8      u64 element count (a tensor's shape has it as its product; a network's
//                          shape lists its layer sizes instead)
//   32+4n           S*cnt  the elements
//   32+4n+S*cnt     8      u64 checksum: FNV-1a 64 over every preceding byte of the file
//
// Saving writes "<path>.tmp", flushes and closes it, then renames it over <path>: a crash
// never leaves a half-written file at <path> (stdio has no fsync, so this protects against a
// crashed process, not a lost disk cache). Loading checks the whole file first and only then
// fills the destination, so on any error the destination is left as it was. Errors, each with
// the path in its message: io_error (cannot open/write/rename), bad_magic (not a saerl file,
// or a file of another kind), bad_version, bad_scalar (float vs double), bad_shape (shapes
// differ, or a header whose counts do not add up), truncated (the file ends before its header
// says it should; a file shorter than the magic whose bytes start "SAERLBIN" counts too),
// bad_checksum (contents corrupted, or extra bytes after the checksum), invalid_argument.
//
//   float w[75 * 512];
//   const uint32_t shape[2] = {75, 512};
//   const uint32_t kind = saerl::fourcc("MLP ");
//   saerl::Status s = saerl::save_params("out/w.bin", kind, shape, 2, w, 75 * 512);
//   if (s.ok()) s = saerl::load_params("out/w.bin", kind, shape, 2, w, 75 * 512);
//   if (!s.ok()) std::fprintf(stderr, "error: %s\n", s.message);
//   // e.g. "out/w.bin: shape mismatch: file has 75x128, expected 75x512"
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "../base/status.hpp"
#include "temp_file.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "saerl/core/io/serialize.hpp: files are little-endian; big-endian hosts are not supported"
#endif

namespace saerl {

constexpr uint32_t kFormatVersion = 1;
constexpr int kMaxShapeEntries = 16;

// 'MLP ' -> the u32 whose little-endian bytes spell M, L, P, space.
constexpr uint32_t fourcc(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[3])) << 24;
}

// FNV-1a 64: h = (h xor byte) * 1099511628211 for each byte. Pass the previous h to continue.
inline uint64_t fnv1a64(const void* bytes, size_t n, uint64_t h = 14695981039346656037ULL) {
  const unsigned char* p = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

struct Header {
  uint32_t version = 0;
  uint32_t scalar = 0;  // 1 = float32, 2 = float64
  uint32_t kind = 0;
  int shape_count = 0;
  uint32_t shape[kMaxShapeEntries] = {0};
  uint64_t count = 0;
};

template <class T>
constexpr uint32_t scalar_code() {
  static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value,
                "saerl files hold float or double elements");
  return sizeof(T) == 4 ? 1u : 2u;
}

namespace detail {

constexpr size_t kHeaderMaxBytes = 24 + 4 * kMaxShapeEntries + 8;
inline size_t header_bytes(int shape_count) {
  return 24 + 4 * static_cast<size_t>(shape_count) + 8;
}

// Little-endian integers of n bytes (4 or 8), independent of the host's byte order.
inline void put_le(unsigned char* p, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline uint64_t get_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint32_t get_u32(const unsigned char* p) { return static_cast<uint32_t>(get_le(p, 4)); }

// "75x512"; "()" for an empty shape (one scalar).
struct ShapeText { char s[kMaxShapeEntries * 11 + 3]; };
inline ShapeText shape_text(const uint32_t* shape, int n) {
  ShapeText t{};
  std::snprintf(t.s, sizeof t.s, "%s", n == 0 ? "()" : "");
  for (int i = 0, len = 0; i < n; ++i) {
    len += std::snprintf(t.s + len, sizeof t.s - static_cast<size_t>(len), i ? "x%u" : "%u",
                         static_cast<unsigned>(shape[i]));
  }
  return t;
}

// The four characters of a kind, '?' for the unprintable ones.
struct KindText { char s[5]; };
inline KindText kind_text(uint32_t kind) {
  KindText t{};
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>((kind >> (8 * i)) & 0xff);
    t.s[i] = (c >= 32 && c < 127) ? c : '?';
  }
  return t;
}

inline const char* scalar_name(uint32_t code) { return code == 1 ? "float32" : "float64"; }

inline Status check_args(const char* path, const uint32_t* shape, int shape_count,
                         const void* data, uint64_t count, size_t elem) {
  if (path == nullptr) return Status::error(StatusCode::invalid_argument, "path is null");
  if (shape_count < 0 || shape_count > kMaxShapeEntries || (shape_count > 0 && !shape))
    return Status::error(StatusCode::invalid_argument, "%s: shape must have 0..%d entries", path,
                         kMaxShapeEntries);
  if (count > SIZE_MAX / elem)
    return Status::error(StatusCode::invalid_argument, "%s: count %llu is too large", path,
                         static_cast<unsigned long long>(count));
  if (count > 0 && data == nullptr)
    return Status::error(StatusCode::invalid_argument, "%s: data is null", path);
  return Status::success();
}

// The first read of a file gave `got` bytes: nothing at all is an error of its own, a
// directory (which fopen opens on POSIX, but which cannot be read) or an empty file.
inline Status check_first_read(std::FILE* f, const char* path, size_t got) {
  if (got > 0) return Status::success();
  if (std::ferror(f)) return Status::error(StatusCode::io_error, "%s: cannot read (a directory?)", path);
  return Status::error(StatusCode::truncated, "%s: truncated: the file is empty", path);
}

// Reads and checks the header at the start of f; *hash receives FNV-1a over its bytes.
inline Status read_header(std::FILE* f, const char* path, Header* out, uint64_t* hash) {
  unsigned char b[kHeaderMaxBytes];
  size_t got = std::fread(b, 1, 24, f);
  Status s = check_first_read(f, path, got);
  if (!s.ok()) return s;
  if (std::memcmp(b, "SAERLBIN", got < 8 ? got : 8) != 0)
    return Status::error(StatusCode::bad_magic, "%s: not a saerl file (bad magic)", path);
  if (got < 24)
    return Status::error(StatusCode::truncated, "%s: truncated: file ends inside the header", path);
  Header h;
  h.version = get_u32(b + 8);
  h.scalar = get_u32(b + 12);
  h.kind = get_u32(b + 16);
  uint32_t n = get_u32(b + 20);
  if (h.version != kFormatVersion)
    return Status::error(StatusCode::bad_version, "%s: format version %u, this build reads %u",
                         path, static_cast<unsigned>(h.version),
                         static_cast<unsigned>(kFormatVersion));
  if (h.scalar != 1 && h.scalar != 2)
    return Status::error(StatusCode::bad_scalar, "%s: unknown scalar code %u", path,
                         static_cast<unsigned>(h.scalar));
  if (n > static_cast<uint32_t>(kMaxShapeEntries))
    return Status::error(StatusCode::bad_shape, "%s: header declares %u shape entries, at most %d",
                         path, static_cast<unsigned>(n), kMaxShapeEntries);
  h.shape_count = static_cast<int>(n);
  size_t rest = header_bytes(h.shape_count) - 24;
  if (std::fread(b + 24, 1, rest, f) != rest)
    return Status::error(StatusCode::truncated, "%s: truncated: file ends inside the header", path);
  for (int i = 0; i < h.shape_count; ++i) h.shape[i] = get_u32(b + 24 + 4 * i);
  h.count = get_le(b + 24 + rest - 8, 8);
  *out = h;
  *hash = fnv1a64(b, 24 + rest);
  return Status::success();
}

// Streams the next `body` bytes of f through FNV-1a (continuing from `hash`), then checks the
// 8-byte checksum that follows against it, and that nothing follows the checksum.
inline Status verify_body(std::FILE* f, const char* path, uint64_t body, uint64_t hash, uint64_t* stored) {
  unsigned char buf[1024];
  for (uint64_t left = body; left > 0;) {
    const size_t want = left < sizeof buf ? static_cast<size_t>(left) : sizeof buf;
    if (std::fread(buf, 1, want, f) != want)
      return Status::error(StatusCode::truncated, "%s: truncated: file ends in the data", path);
    hash = fnv1a64(buf, want, hash);
    left -= want;
  }
  if (std::fread(buf, 1, 8, f) != 8)
    return Status::error(StatusCode::truncated, "%s: truncated: no room for the checksum", path);
  *stored = get_le(buf, 8);
  if (*stored != hash)
    return Status::error(StatusCode::bad_checksum, "%s: checksum mismatch: file says %016llx, contents give %016llx",
                         path, static_cast<unsigned long long>(*stored), static_cast<unsigned long long>(hash));
  if (std::fgetc(f) != EOF)
    return Status::error(StatusCode::bad_checksum, "%s: extra bytes after the checksum", path);
  return Status::success();
}

// Closes the file on every return path.
struct FileCloser {
  std::FILE* f;
  ~FileCloser() { if (f) std::fclose(f); }
};

}  // namespace detail

// Reads and checks the header of a saerl file (magic, version, scalar code, shape, count);
// does not read the elements or verify the checksum.
inline Status read_header(const char* path, Header* out) {
  if (path == nullptr || out == nullptr)
    return Status::error(StatusCode::invalid_argument, "read_header: null argument");
  detail::FileCloser file{std::fopen(path, "rb")};
  if (!file.f) return Status::error(StatusCode::io_error, "%s: cannot open for reading", path);
  uint64_t hash = 0;
  return detail::read_header(file.f, path, out, &hash);
}


namespace detail {

// A piece of a file being written.
struct Chunk {
  const void* data;
  size_t size;
};

// Writes the chunks to <path> through a TempFile: all or nothing.
inline Status write_atomically(const char* path, const Chunk* chunks, int n) {
  TempFile file;
  Status s = file.open(path);
  for (int i = 0; i < n && s.ok(); ++i) file.write(chunks[i].data, chunks[i].size);
  if (s.ok()) s = file.finish();
  if (s.ok()) s = file.commit();
  return s;
}

}  // namespace detail

template <class T>
Status save_params(const char* path, uint32_t kind, const uint32_t* shape, int shape_count,
                   const T* data, uint64_t count) {
  Status s = detail::check_args(path, shape, shape_count, data, count, sizeof(T));
  if (!s.ok()) return s;
  unsigned char head[detail::kHeaderMaxBytes];
  std::memcpy(head, "SAERLBIN", 8);
  detail::put_le(head + 8, kFormatVersion, 4);
  detail::put_le(head + 12, scalar_code<T>(), 4);
  detail::put_le(head + 16, kind, 4);
  detail::put_le(head + 20, static_cast<uint32_t>(shape_count), 4);
  // (check_args bounds shape_count; the explicit bound also tells the optimizer so)
  for (int i = 0; i < shape_count && i < kMaxShapeEntries; ++i) detail::put_le(head + 24 + 4 * i, shape[i], 4);
  size_t head_size = detail::header_bytes(shape_count < kMaxShapeEntries ? shape_count : kMaxShapeEntries);
  detail::put_le(head + head_size - 8, count, 8);
  unsigned char tail[8];
  size_t body = static_cast<size_t>(count) * sizeof(T);
  detail::put_le(tail, fnv1a64(data, body, fnv1a64(head, head_size)), 8);

  const detail::Chunk chunks[3] = {{head, head_size}, {data, body}, {tail, 8}};
  return detail::write_atomically(path, chunks, 3);
}

template <class T>
Status load_params(const char* path, uint32_t kind, const uint32_t* shape, int shape_count,
                   T* data, uint64_t count) {
  Status s = detail::check_args(path, shape, shape_count, data, count, sizeof(T));
  if (!s.ok()) return s;
  detail::FileCloser file{std::fopen(path, "rb")};
  if (!file.f) return Status::error(StatusCode::io_error, "%s: cannot open for reading", path);

  // Pass 1: check the header against the destination, then stream the body through a stack
  // buffer to verify the checksum. Nothing is written to data yet.
  Header h;
  uint64_t head_hash = 0;
  s = detail::read_header(file.f, path, &h, &head_hash);
  if (!s.ok()) return s;
  if (h.kind != kind)
    return Status::error(StatusCode::bad_magic, "%s: kind mismatch: file holds '%s', expected '%s'",
                         path, detail::kind_text(h.kind).s, detail::kind_text(kind).s);
  if (h.scalar != scalar_code<T>())
    return Status::error(StatusCode::bad_scalar, "%s: scalar mismatch: file holds %s, expected %s",
                         path, detail::scalar_name(h.scalar),
                         detail::scalar_name(scalar_code<T>()));
  bool same_shape = h.shape_count == shape_count;
  for (int i = 0; same_shape && i < shape_count; ++i) same_shape = h.shape[i] == shape[i];
  if (!same_shape)
    return Status::error(StatusCode::bad_shape, "%s: shape mismatch: file has %s, expected %s",
                         path, detail::shape_text(h.shape, h.shape_count).s,
                         detail::shape_text(shape, shape_count).s);
  if (h.count != count)
    return Status::error(StatusCode::bad_shape, "%s: the file holds %llu values, expected %llu", path,
                         static_cast<unsigned long long>(h.count), static_cast<unsigned long long>(count));
  size_t body = static_cast<size_t>(count) * sizeof(T);
  uint64_t stored = 0;
  s = detail::verify_body(file.f, path, body, head_hash, &stored);
  if (!s.ok()) return s;

  // Pass 2: the file is good; read the elements straight into data. Only a file changed by
  // another process between the two passes can fail here, and then data is partly written.
  long offset = static_cast<long>(detail::header_bytes(shape_count));
  if (std::fseek(file.f, offset, SEEK_SET) != 0 ||
      (body > 0 && std::fread(data, 1, body, file.f) != body) ||
      fnv1a64(data, body, head_hash) != stored)
    return Status::error(StatusCode::io_error, "%s: file changed while loading", path);
  return Status::success();
}

}  // namespace saerl
