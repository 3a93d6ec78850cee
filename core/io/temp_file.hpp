// saerl/core/io/temp_file.hpp — a file written as "<path>.tmp" and renamed over <path> only when
// complete, so a crash never leaves a half-written file at <path>; and the table of the temp
// files being written now, which a SIGINT/SIGTERM handler may remove (examples/cli/cleanup.hpp).
//
//   saerl::TempFile f;
//   saerl::Status s = f.open("out/model.bin");
//   if (s.ok()) f.write(bytes, n);    // errors surface at finish()
//   if (s.ok()) s = f.finish();   // flushed and closed: the temp file is complete
//   if (s.ok()) s = f.commit();   // renamed over out/model.bin
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "../base/status.hpp"

namespace saerl {

namespace detail {

// The temp files of the TempFiles alive right now, so that a program's SIGINT/SIGTERM handler
// can remove them before it dies (examples/cli/cleanup.hpp): a fixed table of pointers to
// their paths, each slot claimed with one atomic exchange, read without locks (a handler may
// only do that). A TempFile beyond kTempSlots still works; it is just not in the table.
constexpr int kTempSlots = 32;
inline std::atomic<const char*>* temp_slots() {
  static std::atomic<const char*> slots[kTempSlots] = {};
  return slots;
}

}  // namespace detail

// Calls fn(path) for every temp file being written now (from a signal handler too: it only
// reads the table).
template <class Fn>
void for_each_temp_file(Fn&& fn) {
  std::atomic<const char*>* slots = detail::temp_slots();
  for (int i = 0; i < detail::kTempSlots; ++i)
    if (const char* p = slots[i].load()) fn(p);
}

// A file written as "<path>.tmp" and renamed over <path> only when complete, so a crash never
// leaves a half-written file at <path>. open(), write() any number of times, finish() (flush
// and close; the temp file is then complete), commit() (rename). finish() and commit() are
// separate so that a caller (or a test) can act between them; on any failure, or when the
// object is dropped before commit(), the temp file is removed. While it exists its path is in
// the table of for_each_temp_file, for a signal handler to remove.
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { abandon(); }

  Status open(const char* path) {
    abandon();
    if (std::snprintf(path_, sizeof path_, "%s", path) >= static_cast<int>(sizeof path_) ||
        std::snprintf(tmp_, sizeof tmp_, "%s.tmp", path) >= static_cast<int>(sizeof tmp_))
      return Status::error(StatusCode::invalid_argument, "%s: path too long", path);
    enlist();  // before the file exists: a signal in between finds no file, which is harmless
    f_ = std::fopen(tmp_, "wb");
    if (!f_) {
      delist();
      return Status::error(StatusCode::io_error, "%s: cannot create %s", path, tmp_);
    }
    exists_ = good_ = true;
    return Status::success();
  }
  void write(const void* data, size_t n) {
    if (f_ && good_ && n > 0) good_ = std::fwrite(data, 1, n, f_) == n;
  }
  Status finish() {
    if (!f_) return Status::error(StatusCode::io_error, "%s: not open for writing", path_);
    bool ok = good_ && std::fflush(f_) == 0;
    ok = std::fclose(f_) == 0 && ok;
    f_ = nullptr;
    if (!ok) {
      abandon();
      return Status::error(StatusCode::io_error, "%s: cannot write %s (disk full?)", path_, tmp_);
    }
    return Status::success();
  }
  Status commit() {
    if (f_ || !exists_) return Status::error(StatusCode::io_error, "%s: nothing finished to rename", path_);
#if defined(_WIN32)
    std::remove(path_);  // Windows' rename does not replace an existing file
#endif
    if (std::rename(tmp_, path_) != 0) {
      abandon();
      return Status::error(StatusCode::io_error, "%s: cannot rename %s over it", path_, tmp_);
    }
    exists_ = false;
    delist();
    return Status::success();
  }
  const char* temp_path() const { return tmp_; }

 private:
  void abandon() {
    if (f_) std::fclose(f_);
    if (exists_) std::remove(tmp_);
    delist();
    f_ = nullptr;
    exists_ = good_ = false;
  }
  void enlist() {
    std::atomic<const char*>* slots = detail::temp_slots();
    for (int i = 0; i < detail::kTempSlots && slot_ < 0; ++i) {
      const char* none = nullptr;
      if (slots[i].compare_exchange_strong(none, tmp_)) slot_ = i;
    }
  }
  void delist() {
    if (slot_ >= 0) detail::temp_slots()[slot_].store(nullptr);
    slot_ = -1;
  }
  std::FILE* f_ = nullptr;
  bool exists_ = false;  // the temp file is on disk
  bool good_ = false;    // every write so far succeeded
  int slot_ = -1;        // this file's entry in detail::temp_slots(), or -1
  char path_[1024] = {0};
  char tmp_[1032] = {0};
};

}  // namespace saerl
