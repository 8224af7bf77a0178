#pragma once
// Process-wide counters and latency histograms for GET /metrics (Prometheus text format 0.0.4).
// Incrementing is lock-free; a metric is created on first use and lives as long as the process.
// Values that are cheaper to read when scraped (disk free, queue depth) are added by the handler.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

namespace atrium::metrics {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { value_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Seconds, in fixed buckets from 1 ms to 30 s (DICOM queries and HTTP requests alike).
class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1,   0.25,   0.5,   1.0,  5.0,   30.0};
  void observe(double seconds);
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }  // not cumulative
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return static_cast<double>(sumMicros_.load(std::memory_order_relaxed)) / 1e6; }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0}, sumMicros_{0};
};

// labels: "" or Prometheus label pairs without braces, e.g. `reason="A700"`. The same name must
// always come with the same help text and kind.
Counter& counter(const std::string& name, const std::string& help, const std::string& labels = "");
Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = "");
Histogram& histogram(const std::string& name, const std::string& help, const std::string& labels = "");

// The series of one counter by the values of one label, each looked up in the registry (and its
// lock) only once: for hot paths (every request, every stored instance). The caller numbers the
// values 0..N-1.
template <std::size_t N>
class CounterSet {
 public:
  CounterSet(std::string name, std::string help, std::string label)
      : name_(std::move(name)), help_(std::move(help)), label_(std::move(label)) {}
  Counter& at(std::size_t index, const std::string& value) {
    Counter* c = cache_[index].load(std::memory_order_acquire);
    if (!c) {
      c = &counter(name_, help_, label_ + "=\"" + value + "\"");
      cache_[index].store(c, std::memory_order_release);
    }
    return *c;
  }

 private:
  std::string name_, help_, label_;
  std::array<std::atomic<Counter*>, N> cache_{};
};

// Every metric created so far, in the text format, sorted by name.
std::string render();
// One gauge line with its HELP and TYPE, for values read at scrape time.
std::string gaugeText(const std::string& name, const std::string& help, double value, const std::string& labels = "");

// Measures a scope into a histogram.
class Timer {
 public:
  explicit Timer(Histogram& h);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

 private:
  Histogram& h_;
  std::int64_t startNs_;
};

}  // namespace atrium::metrics
