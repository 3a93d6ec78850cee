// saerl/examples/cli/progress.hpp — a one-line progress display for long work: what is done of
// how much, the rate, the time left as h:mm:ss and a few words of the caller's. On a terminal
// the line is redrawn in place; otherwise one line is written every few seconds, flushed.
//
//   saerl::Progress p("train-dqn", total_steps, "steps");
//   for (long t = 1; t <= total; ++t) { ...; p.update(t, "checkmate 0.95"); }
//   p.finish();
//
//   saerl::StageLines stages("report", 4 * 5);  // work in 20 stages of roughly equal cost
//   stages.begin("topk: probes");               // one line per stage, with the time left
#pragma once
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace saerl {

// "1:02:03" (or "2:03" under an hour) into buf.
inline const char* clock_text(double seconds, char* buf, size_t cap) {
  const long s = seconds > 0 && seconds < 3.6e8 ? long(seconds + 0.5) : 0;
  if (s >= 3600) std::snprintf(buf, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, cap, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

class Progress {
 public:
  Progress(const char* label, long total, const char* unit)
      : label_(label), unit_(unit), total_(total), tty_(isatty(fileno(stderr)) != 0),
        start_(std::chrono::steady_clock::now()), last_(start_) {}

  double seconds() const { return since(start_); }

  // Shows `done` of the total (when enough time has passed since the last line), with `note`.
  void update(long done, const char* note = "", bool force = false) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && std::chrono::duration<double>(now - last_).count() < (tty_ ? 0.25 : 5.0)) return;
    last_ = now;
    const double elapsed = since(start_), rate = elapsed > 0 ? done / elapsed : 0;
    char left[24], spent[24];
    clock_text(rate > 0 ? (total_ - done) / rate : 0, left, sizeof left);
    clock_text(elapsed, spent, sizeof spent);
    std::fprintf(stderr, "%s%s: %ld/%ld %s  %.0f %s/s  %s elapsed, %s left%s%s%s", tty_ ? "\r" : "", label_, done,
                 total_, unit_, rate, unit_, spent, left, *note ? "  " : "", note, tty_ ? "\033[K" : "\n");
    std::fflush(stderr);
    shown_ = true;
  }

  // Ends the line on a terminal.
  void finish() {
    if (tty_ && shown_) std::fputc('\n', stderr);
    shown_ = false;
  }

 private:
  static double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }
  const char* label_;
  const char* unit_;
  long total_;
  bool tty_, shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// One line per stage on stderr, flushed at once (also into a pipe): its name, how many stages
// are done of the total, the time spent and, once a stage has ended, the time left estimated
// from the mean stage so far.
class StageLines {
 public:
  StageLines(const char* label, int total)
      : label_(label), total_(total), start_(std::chrono::steady_clock::now()) {}

  // Starts the next stage: prints "label: what (k/total, 0:12 elapsed, 0:40 left)".
  void begin(const char* what) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    char spent[24], left[48] = "";
    clock_text(elapsed, spent, sizeof spent);
    if (done_ > 0 && done_ < total_) {
      char t[24];
      std::snprintf(left, sizeof left, ", %s left", clock_text(elapsed / done_ * (total_ - done_), t, sizeof t));
    }
    std::fprintf(stderr, "%s: %s  (%d/%d, %s elapsed%s)\n", label_, what, done_, total_, spent, left);
    std::fflush(stderr);
    ++done_;
  }

 private:
  const char* label_;
  int total_, done_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace saerl
