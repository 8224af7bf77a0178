#include <gtest/gtest.h>

#include "routing/route_matcher.h"

using namespace atrium;

TEST(RouteMatcher, Wildcards) {
  EXPECT_TRUE(routing::wildcardMatch("*", ""));
  EXPECT_TRUE(routing::wildcardMatch("CATH*", "CATHLAB1"));
  EXPECT_TRUE(routing::wildcardMatch("C?T*1", "CATHLAB1"));
  EXPECT_FALSE(routing::wildcardMatch("CATH*", "XCATH"));
  EXPECT_TRUE(routing::wildcardMatch("*LAB*", "CATHLAB1"));
  EXPECT_FALSE(routing::wildcardMatch("MR", "mr"));  // values compare as stored
}

TEST(RouteMatcher, EveryConditionMustHoldAndDestinationsAreListedOnce) {
  dicom::InstanceRecord r;
  r.series.modality = "MR";
  r.study.studyDescription = "CARDIAC MRI";
  std::vector<Route> routes = {
      {"mr", {{"Modality", "CT\\MR"}}, {"A", "B"}, false, {}},
      {"cardiac from scanner", {{"StudyDescription", "*CARDIAC*"}, {"calling_aet", "SCANNER"}}, {"B", "C"}, false, {}},
      {"ct", {{"Modality", "CT"}}, {"D"}, false, {}},
      {"all", {}, {"E"}, false, {}},
  };
  EXPECT_EQ(routing::destinationsFor(routes, r, "SCANNER"), (std::vector<std::string>{"A", "B", "C", "E"}));
  EXPECT_EQ(routing::destinationsFor(routes, r, "OTHER"), (std::vector<std::string>{"A", "B", "E"}));
}

TEST(RouteMatcher, UnknownKeysAreAConfigurationError) {
  EXPECT_THROW(routing::validateRoutes({{"x", {{"PatientWeight", "1"}}, {"A"}, false, {}}}), ConfigError);
  EXPECT_NO_THROW(routing::validateRoutes({{"x", {{"SOPClassUID", "1.2*"}, {"calling_aet", "X"}}, {"A"}, false, {}}}));
}

TEST(RouteMatcher, ADeidentifyingRouteOwnsItsDestinations) {
  EXPECT_NO_THROW(routing::validateRoutes({{"research", {}, {"RESEARCH"}, true, {"retain-long-modified-dates"}},
                                           {"clinical", {}, {"PACS"}, false, {}}}));
  EXPECT_THROW(routing::validateRoutes({{"research", {}, {"R"}, true, {}}, {"clinical", {}, {"R", "PACS"}, false, {}}}),
               ConfigError);
  EXPECT_THROW(routing::validateRoutes({{"research", {}, {"R"}, true, {"keep-names"}}}), ConfigError);
}
