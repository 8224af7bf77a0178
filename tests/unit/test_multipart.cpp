#include <gtest/gtest.h>

#include <string>
using namespace std::string_literals;

#include "web/media_type.h"
#include "web/multipart.h"

using namespace atrium::web;

namespace {
struct Collected {
  std::vector<std::map<std::string, std::string>> headers;
  std::vector<std::string> bodies;
};

// Feeds body in pieces of `piece` bytes.
bool parse(const std::string& boundary, const std::string& body, std::size_t piece, Collected& out) {
  MultipartReader r(boundary, {[&](const std::map<std::string, std::string>& h) {
                                 out.headers.push_back(h);
                                 out.bodies.emplace_back();
                                 return true;
                               },
                               [&](const char* d, std::size_t n) {
                                 out.bodies.back().append(d, n);
                                 return true;
                               },
                               [] { return true; }});
  for (std::size_t i = 0; i < body.size(); i += piece)
    if (!r.feed(body.data() + i, std::min(piece, body.size() - i))) return false;
  return r.finished();
}
}  // namespace

TEST(Multipart, PartsSurviveAnySplitOfTheBody) {
  std::string b = "xyzBOUNDARY";
  // Part bodies that contain CRLFs, dashes and a near-miss of the delimiter.
  std::string p1 = "DICM\r\n--xyzBOUNDAR\r\n\0binary"s;
  std::string p2 = "second";
  std::string body = "preamble\r\n" + partHeader(b, "application/dicom") + p1 + "\r\n" +
                     partHeader(b, "application/dicom; transfer-syntax=1.2") + p2 + closingDelimiter(b) + "epilogue";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 13u, 64u, 4096u}) {
    Collected c;
    ASSERT_TRUE(parse(b, body, piece, c)) << piece;
    ASSERT_EQ(c.bodies.size(), 2u) << piece;
    EXPECT_EQ(c.bodies[0], p1) << piece;
    EXPECT_EQ(c.bodies[1], p2) << piece;
    EXPECT_EQ(c.headers[1]["content-type"], "application/dicom; transfer-syntax=1.2");
  }
}

TEST(Multipart, TruncatedBodyIsNotFinished) {
  std::string b = "B";
  std::string body = partHeader(b, "application/dicom") + "abc";
  Collected c;
  EXPECT_FALSE(parse(b, body, 5, c));
}

TEST(MediaType, ParsesRangesAndQuotedParameters) {
  auto r =
      parseMediaRanges(R"(multipart/related; type="application/dicom"; transfer-syntax=*, application/json;q=0.5)");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].type, "multipart/related");
  EXPECT_EQ(r[0].param("type"), "application/dicom");
  EXPECT_EQ(r[0].param("transfer-syntax"), "*");
  EXPECT_EQ(r[1].type, "application/json");
  EXPECT_TRUE(parseMediaRanges("").empty());
}
