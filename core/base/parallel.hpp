// saerl/core/base/parallel.hpp — optional threads for training: one process-wide thread count and
// a parallel_for over fixed contiguous chunks.
//
//   saerl::set_threads(2);                 // default 1: no thread is ever started
//   saerl::parallel_for(rows, [&](int begin, int end) { /* rows begin .. end-1 */ });
//
// parallel_for(n, fn) cuts [0, n) into threads() chunks, chunk c = [n c / t, n (c + 1) / t),
// runs fn(begin, end) on each and returns when all are done. A chunk goes to whichever thread
// is free first (the caller starts with chunk 0, worker w with chunk w), so a worker that the
// system is slow to schedule does not hold the caller up. The library's callers give each
// chunk its own OUTPUT elements (rows or columns of a product, a range of parameters) and
// never split a sum: each output is computed by one thread in the same order as with one
// thread, so results are bit-identical at 1, 2 or any number of threads.
//
// It runs fn(0, n) on the caller, with no thread and no heap, when threads() is 1, when n < 2,
// inside another parallel_for (no nesting), while another thread of the program uses the pool,
// and in builds without threads: SAERL_NO_THREADS removes <thread> and friends entirely, and
// C++ libraries built without thread support (bare-metal toolchains such as arm-none-eabi's)
// get that build by themselves. So the inference path of one position stays on its thread:
// its loops over inputs have n = 1, and core/math/matmul.hpp splits only products of at least two
// rows and kParallelWork multiply-adds.
//
// Workers are POSIX threads where <pthread.h> exists (a thread that cannot be started is
// reported by a return code, so it works with -fno-exceptions), else std::thread. When a
// worker cannot be started the pool keeps the threads it has: threads() says how many. An idle
// worker spins briefly for the next chunk, then sleeps on a condition variable.
#pragma once
#include <cstddef>  // (also brings the C++ library's configuration macros)

#if !defined(SAERL_NO_THREADS) && ((defined(__GLIBCXX__) && !defined(_GLIBCXX_HAS_GTHREADS)) || \
                                   defined(_LIBCPP_HAS_NO_THREADS))
#define SAERL_NO_THREADS
#endif

#ifndef SAERL_NO_THREADS
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#if !defined(_WIN32) && __has_include(<pthread.h>)
#define SAERL_PTHREADS 1
#include <pthread.h>
#endif
#endif

namespace saerl {

constexpr int kMaxThreads = 64;

#ifdef SAERL_NO_THREADS

inline int threads() { return 1; }
inline int set_threads(int) { return 1; }
template <class F>
void parallel_for(int n, F&& fn) {
  if (n > 0) fn(0, n);
}

#else

namespace detail {

class ThreadPool {
 public:
  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { stop_workers(); }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  // Stops the workers, then starts count - 1 new ones; returns the threads now available.
  int resize(int count) {
    count = count < 1 ? 1 : (count > kMaxThreads ? kMaxThreads : count);
    std::lock_guard<std::mutex> use(use_);
    if (count == threads()) return count;
    stop_workers();
    stop_ = false;
    first_generation_ = generation_.load();  // (a job may start before a new worker runs)
    for (auto& c : claimed_) c.store(first_generation_);
    int started = 1;
    while (started < count && start_worker(started)) ++started;
    threads_.store(started, std::memory_order_relaxed);
    return started;
  }

  template <class F>
  void run(int n, F& fn) {
    const int t = threads();
    if (t == 1 || n < 2 || inside() || !use_.try_lock()) {
      fn(0, n);
      return;
    }
    job_ = Job{&call<F>, const_cast<void*>(static_cast<const void*>(&fn)), n, t};
    done_.store(0, std::memory_order_relaxed);
    unsigned g;
    {
      std::lock_guard<std::mutex> lock(sleep_);  // (a worker checks generation_ under it)
      g = generation_.fetch_add(1, std::memory_order_release) + 1;
    }
    wake_.notify_all();
    inside() = true;
    take_chunks(g, 0);
    inside() = false;
    for (long spin = 0; done_.load(std::memory_order_acquire) != t; ++spin)
      if (spin > kSpins) std::this_thread::yield();
    use_.unlock();
  }

 private:
  struct Job {
    void (*call)(void*, int, int);
    void* fn;
    int n, chunks;
  };
  struct Start {
    ThreadPool* pool;
    int index;
  };
  static constexpr long kSpins = 1L << 16;  // polls of an idle worker before it sleeps

  template <class F>
  static void call(void* fn, int begin, int end) {
    (*static_cast<F*>(fn))(begin, end);
  }
  static bool& inside() {  // this thread runs a chunk: a nested parallel_for runs alone
    static thread_local bool flag = false;
    return flag;
  }
  void run_chunk(int c) {
    const long n = job_.n, t = job_.chunks;
    const int begin = int(n * c / t), end = int(n * (c + 1) / t);
    if (begin < end) job_.call(job_.fn, begin, end);
  }

  // Runs every chunk of job g not yet claimed, starting with chunk `first`. A chunk is claimed
  // by moving claimed_[c] from g - 1 to g: whichever thread is free takes it (a worker that
  // the system has not scheduled yet leaves its chunk to the caller), and a worker that wakes
  // after job g has ended claims nothing.
  void take_chunks(unsigned g, int first) {
    const int t = job_.chunks;
    for (int i = 0; i < t; ++i) {
      const int c = (first + i) % t;
      unsigned expected = g - 1;
      if (claimed_[c].compare_exchange_strong(expected, g, std::memory_order_acq_rel)) {
        run_chunk(c);
        done_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  void work(int index) {
    inside() = true;
    unsigned seen = first_generation_;
    for (;;) {
      long spin = 0;
      while (generation_.load(std::memory_order_acquire) == seen && !stop_.load(std::memory_order_acquire)) {
        if (++spin < kSpins) continue;
        std::unique_lock<std::mutex> lock(sleep_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen || stop_.load(); });
      }
      if (stop_.load(std::memory_order_acquire)) return;
      seen = generation_.load(std::memory_order_acquire);
      take_chunks(seen, index);
    }
  }

#if SAERL_PTHREADS
  static void* worker_main(void* start) {
    const Start* s = static_cast<const Start*>(start);
    s->pool->work(s->index);
    return nullptr;
  }
  bool start_worker(int index) {
    starts_[index] = Start{this, index};
    if (pthread_create(&workers_[index], nullptr, &worker_main, &starts_[index]) != 0) return false;
    started_ = index;
    return true;
  }
  void join_worker(int index) { pthread_join(workers_[index], nullptr); }
  pthread_t workers_[kMaxThreads];
  Start starts_[kMaxThreads];
#else
  bool start_worker(int index) {
#if defined(__cpp_exceptions)
    try {
      workers_[index] = std::thread([this, index] { work(index); });
    } catch (...) {
      return false;
    }
#else
    workers_[index] = std::thread([this, index] { work(index); });
#endif
    started_ = index;
    return true;
  }
  void join_worker(int index) { workers_[index].join(); }
  std::thread workers_[kMaxThreads];
#endif

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(sleep_);
      stop_.store(true, std::memory_order_release);
    }
    wake_.notify_all();
    for (int i = 1; i <= started_; ++i) join_worker(i);
    started_ = 0;
    threads_.store(1, std::memory_order_relaxed);
  }

  std::mutex use_;    // held by the one parallel_for running, and by resize
  std::mutex sleep_;  // with wake_: idle workers sleep here
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};  // one more per job
  unsigned first_generation_ = 0;        // generation_ when the workers were started
  std::atomic<unsigned> claimed_[kMaxThreads] = {};  // the last job that claimed each chunk
  std::atomic<int> done_{0};                         // chunks of the current job done
  std::atomic<bool> stop_{false};
  std::atomic<int> threads_{1};
  Job job_{nullptr, nullptr, 0, 1};
  int started_ = 0;  // workers 1 .. started_ are running
};

inline ThreadPool& thread_pool() {
  static ThreadPool pool;
  return pool;
}

}  // namespace detail

// The threads that parallel_for uses, the caller included.
inline int threads() { return detail::thread_pool().threads(); }

// Sets the process-wide thread count (clamped to 1 .. kMaxThreads); returns the count in
// force, which is lower when the system would not start as many threads.
inline int set_threads(int count) { return detail::thread_pool().resize(count); }

template <class F>
void parallel_for(int n, F&& fn) {
  if (n <= 0) return;
  detail::thread_pool().run(n, fn);
}

#endif  // SAERL_NO_THREADS

}  // namespace saerl
