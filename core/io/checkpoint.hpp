// saerl/core/io/checkpoint.hpp — a training run's whole state (weights, optimizer moments, replay
// buffer, counters, RNG state) as one checked file, written atomically and read back bit for bit.
//
// The fields are listed once, in a function template over an archive; that one list serves
// saving, loading and measuring, so the three cannot disagree:
//
//   struct Run { float w[100]; long step; saerl::Rng rng; };
//   template <class Ar> void run_fields(Ar& ar, Run& r) { ar.array(r.w, 100); ar.value(r.step); ar.rng(r.rng); }
//
//   const uint32_t kind = saerl::fourcc("RUN ");
//   saerl::CheckpointWriter w;
//   saerl::Status s = w.write("out/run.ckpt", kind, [&](auto& ar) { run_fields(ar, run); });
//   if (s.ok()) s = w.commit();   // write() leaves a complete "<path>.tmp"; commit() renames it
//   s = saerl::load_checkpoint("out/run.ckpt", kind, [&](auto& ar) { run_fields(ar, run); });
//
// A field is an integer, a float or double, or a struct without padding (e.g. three uint8_t);
// bool is refused (not every byte is a valid bool). ar.rng(r) lists an Rng's state and
// adam_fields(ar, adam) an Adam optimizer's. Layout, little-endian:
//
//   offset  size  field
//   0       8     magic "SAERLCKP"
//   8       4     u32 format version (1)
//   12      4     u32 kind, a four-character code chosen by the caller
//   16      8     u64 body bytes
//   24      8     u64 layout: FNV-1a 64 over the byte count of every field, in order
//   32      n     the body: each field's bytes, in order
//   32+n    8     u64 checksum: FNV-1a 64 over every preceding byte
//
// Loading checks the header against the field list (a checkpoint of another network or build
// has another size or layout: bad_shape) and the whole file's checksum before it writes a single
// field, so on those errors the destination is left as it was. The values themselves are the
// caller's to check after loading (indices in range and so on), since a checksum only proves
// that the file is the one that was written. Errors as in serialize.hpp, each naming the path.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "../nn/optim.hpp"
#include "../base/rng.hpp"
#include "serialize.hpp"

namespace saerl {

constexpr uint32_t kCheckpointVersion = 1;
constexpr size_t kCheckpointHeaderBytes = 32;

namespace detail {

template <class T>
constexpr bool checkpoint_field_ok() {
  return !std::is_same<T, bool>::value &&
         (std::is_arithmetic<T>::value || std::has_unique_object_representations<T>::value);
}

// The field-list interface every archive shares; Impl::bytes(p, n) moves n bytes at p.
template <class Impl>
struct Archive : Impl {
  template <class T>
  void value(T& x) {
    static_assert(checkpoint_field_ok<T>(), "checkpoint fields: numbers or structs without padding, not bool");
    this->bytes(&x, sizeof x);
  }
  template <class T>
  void array(T* x, size_t n) {
    static_assert(checkpoint_field_ok<T>(), "checkpoint fields: numbers or structs without padding, not bool");
    this->bytes(x, n * sizeof(T));
  }
  void rng(Rng& r) {
    uint64_t state = r.state(), increment = r.increment();
    value(state);
    value(increment);
    r.restore(state, increment);
  }
};

// Counts the body's bytes and hashes the field sizes (the layout).
struct MeasureImpl {
  uint64_t total = 0, layout = fnv1a64(nullptr, 0);
  void bytes(const void*, size_t n) {
    unsigned char le[8];
    put_le(le, n, 8);
    layout = fnv1a64(le, 8, layout);
    total += n;
  }
};

struct WriteImpl {
  TempFile* file = nullptr;
  uint64_t hash = 0;
  void bytes(const void* p, size_t n) {
    file->write(p, n);
    hash = fnv1a64(p, n, hash);
  }
};

struct ReadImpl {
  std::FILE* f = nullptr;
  uint64_t hash = 0;
  bool ok = true;
  void bytes(void* p, size_t n) {
    ok = ok && (n == 0 || std::fread(p, 1, n, f) == n);
    if (ok) hash = fnv1a64(p, n, hash);
  }
};

inline void checkpoint_header(unsigned char* b, uint32_t kind, const MeasureImpl& m) {
  std::memcpy(b, "SAERLCKP", 8);
  put_le(b + 8, kCheckpointVersion, 4);
  put_le(b + 12, kind, 4);
  put_le(b + 16, m.total, 8);
  put_le(b + 24, m.layout, 8);
}

}  // namespace detail

// Adam's whole state as checkpoint fields: its moments, step count and learning rate.
template <class Ar, class T, int N>
void adam_fields(Ar& ar, Adam<T, N>& adam) {
  ar.array(adam.m, N);
  ar.array(adam.v, N);
  ar.value(adam.step);
  ar.value(adam.lr);
}

class CheckpointWriter {
 public:
  // Writes the fields to "<path>.tmp", complete and closed; <path> is untouched until commit().
  template <class Fields>
  Status write(const char* path, uint32_t kind, Fields&& fields) {
    if (path == nullptr) return Status::error(StatusCode::invalid_argument, "checkpoint: path is null");
    detail::Archive<detail::MeasureImpl> measure;
    fields(measure);
    unsigned char head[kCheckpointHeaderBytes];
    detail::checkpoint_header(head, kind, measure);
    Status s = file_.open(path);
    if (!s.ok()) return s;
    file_.write(head, sizeof head);
    detail::Archive<detail::WriteImpl> out;
    out.file = &file_;
    out.hash = fnv1a64(head, sizeof head);
    fields(out);
    unsigned char tail[8];
    detail::put_le(tail, out.hash, 8);
    file_.write(tail, sizeof tail);
    return file_.finish();
  }
  // Renames the finished temp file over the path.
  Status commit() { return file_.commit(); }

 private:
  TempFile file_;
};

template <class Fields>
Status load_checkpoint(const char* path, uint32_t kind, Fields&& fields) {
  if (path == nullptr) return Status::error(StatusCode::invalid_argument, "checkpoint: path is null");
  detail::Archive<detail::MeasureImpl> measure;
  fields(measure);
  detail::FileCloser file{std::fopen(path, "rb")};
  if (!file.f) return Status::error(StatusCode::io_error, "%s: cannot open for reading", path);

  // Pass 1: the header against the field list, then the checksum over the whole file.
  unsigned char head[kCheckpointHeaderBytes];
  const size_t got = std::fread(head, 1, sizeof head, file.f);
  Status s = detail::check_first_read(file.f, path, got);
  if (!s.ok()) return s;
  if (std::memcmp(head, "SAERLCKP", got < 8 ? got : 8) != 0)
    return Status::error(StatusCode::bad_magic, "%s: not a saerl checkpoint (bad magic)", path);
  if (got < sizeof head)
    return Status::error(StatusCode::truncated, "%s: truncated: file ends inside the header", path);
  const uint32_t version = detail::get_u32(head + 8), file_kind = detail::get_u32(head + 12);
  const uint64_t body = detail::get_le(head + 16, 8), layout = detail::get_le(head + 24, 8);
  if (version != kCheckpointVersion)
    return Status::error(StatusCode::bad_version, "%s: checkpoint version %u, this build reads %u", path,
                         static_cast<unsigned>(version), static_cast<unsigned>(kCheckpointVersion));
  if (file_kind != kind)
    return Status::error(StatusCode::bad_magic, "%s: kind mismatch: file holds '%s', expected '%s'", path,
                         detail::kind_text(file_kind).s, detail::kind_text(kind).s);
  if (body != measure.total || layout != measure.layout)
    return Status::error(StatusCode::bad_shape,
                         "%s: a checkpoint of another network or build (%llu bytes, expected %llu)", path,
                         static_cast<unsigned long long>(body), static_cast<unsigned long long>(measure.total));
  uint64_t stored = 0;
  s = detail::verify_body(file.f, path, body, fnv1a64(head, sizeof head), &stored);
  if (!s.ok()) return s;

  // Pass 2: the file is good; read the fields in place. Only a file changed by another
  // process between the passes fails here, and then the destination is partly written.
  detail::Archive<detail::ReadImpl> in;
  in.f = file.f;
  in.hash = fnv1a64(head, sizeof head);
  if (std::fseek(file.f, static_cast<long>(sizeof head), SEEK_SET) != 0) in.ok = false;
  if (in.ok) fields(in);
  if (!in.ok || in.hash != stored) return Status::error(StatusCode::io_error, "%s: file changed while loading", path);
  return Status::success();
}

}  // namespace saerl
