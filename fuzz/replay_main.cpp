// The harnesses without libFuzzer (any compiler, every `make test`): each file of the given folders
// is run once, then `--mutate N` runs N seeded mutations of them (bytes flipped, set to edge
// values, cut, repeated, spliced): no coverage guidance, but the same inputs on every run, so a
// failure here reproduces. With libFuzzer (make fuzz) the same harness is guided by coverage.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Random {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {  // xorshift64*
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
};

Bytes mutate(const Bytes& in, const std::vector<Bytes>& all, Random& r) {
  Bytes b = in;
  static const std::uint8_t edges[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x20, 0x5C, 0x22, 0x0A, 0x0D, 0x2D};
  int rounds = 1 + static_cast<int>(r.below(4));
  for (int i = 0; i < rounds; ++i) {
    switch (r.below(7)) {
      case 0:  // flip a bit
        if (!b.empty()) b[r.below(b.size())] ^= static_cast<std::uint8_t>(1u << r.below(8));
        break;
      case 1:  // an edge value
        if (!b.empty()) b[r.below(b.size())] = edges[r.below(sizeof edges)];
        break;
      case 2: {  // cut a range out
        if (b.empty()) break;
        std::size_t at = r.below(b.size()), n = 1 + r.below(std::min<std::size_t>(64, b.size() - at));
        b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
        break;
      }
      case 3: {  // repeat a range
        if (b.empty()) break;
        std::size_t at = r.below(b.size()), n = 1 + r.below(std::min<std::size_t>(256, b.size() - at));
        Bytes piece(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(r.below(b.size() + 1)), piece.begin(), piece.end());
        break;
      }
      case 4:  // truncate
        b.resize(r.below(b.size() + 1));
        break;
      case 5: {  // a 16- or 32-bit length field set to an edge
        if (b.size() < 4) break;
        std::size_t at = r.below(b.size() - 3);
        std::uint32_t v = r.below(2) ? 0xFFFFFFFFu : static_cast<std::uint32_t>(r.below(1u << 20));
        std::memcpy(&b[at], &v, r.below(2) ? 2 : 4);
        break;
      }
      default: {  // splice with another input
        const Bytes& o = all[r.below(all.size())];
        if (o.empty()) break;
        std::size_t cut = r.below(b.size() + 1), from = r.below(o.size());
        b.resize(cut);
        b.insert(b.end(), o.begin() + static_cast<std::ptrdiff_t>(from), o.end());
        break;
      }
    }
  }
  if (b.size() > (1u << 20)) b.resize(1u << 20);
  return b;
}

void collect(const std::filesystem::path& p, std::vector<std::filesystem::path>& out) {
  if (std::filesystem::is_directory(p)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(p))
      if (e.is_regular_file()) out.push_back(e.path());
  } else if (std::filesystem::is_regular_file(p)) {
    out.push_back(p);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  long mutations = 0;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mutate") == 0 && i + 1 < argc) {
      mutations = std::atol(argv[++i]);
    } else {
      collect(argv[i], files);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--mutate N] FOLDER|FILE... (no input found)\n", argv[0]);
    return 2;
  }
  std::sort(files.begin(), files.end());
  std::vector<Bytes> inputs;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(inputs.back().data(), inputs.back().size());
  }
  Random r;
  for (long i = 0; i < mutations; ++i) {
    Bytes m = mutate(inputs[r.below(inputs.size())], inputs, r);
    LLVMFuzzerTestOneInput(m.data(), m.size());
  }
  std::printf("%zu inputs and %ld mutations run, nothing crashed\n", inputs.size(), mutations);
  return 0;
}
