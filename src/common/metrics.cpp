#include "common/metrics.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <variant>

namespace atrium::metrics {
namespace {

struct Family {
  std::string help, type;
  std::map<std::string, std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>>>
      series;  // by labels
};

std::mutex g_mutex;
std::map<std::string, Family>& families() {
  static std::map<std::string, Family> f;
  return f;
}

template <typename T>
T& find(const std::string& name, const std::string& help, const std::string& labels, const char* type) {
  std::lock_guard lock(g_mutex);
  auto& fam = families()[name];
  if (fam.type.empty()) {
    fam.help = help;
    fam.type = type;
  } else if (fam.type != type) {
    throw std::logic_error("metric " + name + " is a " + fam.type + ", not a " + type);
  }
  auto& slot = fam.series[labels];
  if (std::holds_alternative<std::unique_ptr<Counter>>(slot) && !std::get<std::unique_ptr<Counter>>(slot))
    slot = std::make_unique<T>();
  return *std::get<std::unique_ptr<T>>(slot);
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(15);
  s << v;
  return s.str();
}

std::string withLabels(const std::string& name, const std::string& labels, const std::string& extra = "") {
  std::string all = labels.empty() ? extra : extra.empty() ? labels : labels + "," + extra;
  return all.empty() ? name : name + "{" + all + "}";
}

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  if (i < kBounds.size()) buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sumMicros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

Counter& counter(const std::string& name, const std::string& help, const std::string& labels) {
  return find<Counter>(name, help, labels, "counter");
}
Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels) {
  return find<Gauge>(name, help, labels, "gauge");
}
Histogram& histogram(const std::string& name, const std::string& help, const std::string& labels) {
  return find<Histogram>(name, help, labels, "histogram");
}

std::string gaugeText(const std::string& name, const std::string& help, double value, const std::string& labels) {
  return "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + withLabels(name, labels) + " " +
         number(value) + "\n";
}

std::string render() {
  std::lock_guard lock(g_mutex);
  std::string out;
  for (const auto& [name, fam] : families()) {
    out += "# HELP " + name + " " + fam.help + "\n# TYPE " + name + " " + fam.type + "\n";
    for (const auto& [labels, m] : fam.series) {
      if (auto* c = std::get_if<std::unique_ptr<Counter>>(&m)) {
        out += withLabels(name, labels) + " " + std::to_string((*c)->value()) + "\n";
      } else if (auto* g = std::get_if<std::unique_ptr<Gauge>>(&m)) {
        out += withLabels(name, labels) + " " + std::to_string((*g)->value()) + "\n";
      } else if (auto* h = std::get_if<std::unique_ptr<Histogram>>(&m)) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
          cumulative += (*h)->bucket(i);
          out += withLabels(name + "_bucket", labels, "le=\"" + number(Histogram::kBounds[i]) + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        out += withLabels(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string((*h)->count()) + "\n";
        out += withLabels(name + "_sum", labels) + " " + number((*h)->sum()) + "\n";
        out += withLabels(name + "_count", labels) + " " + std::to_string((*h)->count()) + "\n";
      }
    }
  }
  return out;
}

Timer::Timer(Histogram& h) : h_(h), startNs_(nowNs()) {}
Timer::~Timer() { h_.observe(static_cast<double>(nowNs() - startNs_) / 1e9); }

}  // namespace atrium::metrics
