#include <gtest/gtest.h>

#include "config/config.h"

using namespace atrium;

TEST(Config, ParsesEveryField) {
  auto c = parseConfig(R"({"aet":"ARCHIVE","dicom_port":11112,"http_port":0,"data_dir":"/tmp/x","max_pdu":65536,
    "max_associations":32,"allowed_calling_aets":["CT1","MR1"],"check_called_aet":false,
    "artim_timeout_s":5,"dimse_timeout_s":9,"duplicate_policy":"overwrite",
    "peers":[{"aet":"PACS","host":"127.0.0.1","port":104}]})");
  EXPECT_EQ(c.aet, "ARCHIVE");
  EXPECT_EQ(c.dicomPort, 11112);
  EXPECT_EQ(c.maxPdu, 65536);
  EXPECT_EQ(c.allowedCallingAets.size(), 2u);
  EXPECT_FALSE(c.checkCalledAet);
  EXPECT_EQ(c.duplicatePolicy, DuplicatePolicy::Overwrite);
  ASSERT_NE(c.findPeer("PACS"), nullptr);
  EXPECT_EQ(c.findPeer("PACS")->port, 104);
}

TEST(Config, RejectsBadValuesNamingTheField) {
  auto expectError = [](const char* json, const char* field) {
    try {
      parseConfig(json);
      FAIL() << "accepted " << json;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  expectError(R"({"max_pdu":1024})", "max_pdu");
  expectError(R"({"max_pdu":200000})", "max_pdu");
  expectError(R"({"aet":"THIS-AE-TITLE-IS-TOO-LONG"})", "aet");
  expectError(R"({"dicom_port":"x"})", "dicom_port");
  expectError(R"({"duplicate_policy":"maybe"})", "duplicate_policy");
  expectError(R"({"colour":"blue"})", "colour");
  expectError(R"({"peers":[{"aet":"X","host":"","port":1}]})", "host");
  expectError("{not json", "JSON");
}

TEST(Config, ParsesPeerSpecs) {
  auto p = parsePeer("STORESCP@127.0.0.1:11113");
  EXPECT_EQ(p.aet, "STORESCP");
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, 11113);
  EXPECT_THROW(parsePeer("nohost"), ConfigError);
  EXPECT_THROW(parsePeer("A@h:notaport"), ConfigError);
}

TEST(Config, TheShippedExampleParses) {
  auto c = loadConfig(std::string(ATRIUM_SOURCE_DIR) + "/config/atrium.example.json");
  EXPECT_EQ(c.aet, "ATRIUM");
  EXPECT_EQ(c.dicomPort, 4242);
  ASSERT_NE(c.findPeer("STORESCP"), nullptr);
}

TEST(Config, AnalysisWorkersLimitsAndSegmenter) {
  auto c = parseConfig(
      R"({"analysis":{"enabled":true,"stable_s":30,"workers":2,"time_limit_s":120,"memory_mb":2048,"segmenter":"classic"}})");
  EXPECT_TRUE(c.analysis.enabled);
  EXPECT_EQ(c.analysis.stableSeconds, 30);
  EXPECT_EQ(c.analysis.workers, 2);
  EXPECT_EQ(c.analysis.timeLimitSeconds, 120);
  EXPECT_EQ(c.analysis.memoryMb, 2048);
  EXPECT_EQ(c.analysis.segmenter, "classic");
  auto d = parseConfig("{}");
  EXPECT_EQ(d.analysis.workers, 1);
  EXPECT_EQ(d.analysis.memoryMb, 4096);
  for (const char* bad : {R"({"analysis":{"workers":0}})", R"({"analysis":{"time_limit_s":0}})",
                          R"({"analysis":{"memory_mb":10}})", R"({"analysis":{"segmenter":"magic"}})"}) {
    try {
      parseConfig(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("analysis."), std::string::npos) << e.what();
    }
  }
}

TEST(Config, TlsSettingsAndTheirChecks) {
  auto c = parseConfig(R"({"tls_port":2762,"tls_cert":"s.pem","tls_key":"s.key","tls_ca":"ca.pem",
    "tls_require_client_cert":true,"tls_profile":"bcp195-nd","https":true,
    "peers":[{"aet":"PACS","host":"pacs.example","port":2762,"tls":true}]})");
  EXPECT_EQ(c.tls.port, 2762);
  ASSERT_EQ(c.tls.caCertificates.size(), 1u);
  EXPECT_TRUE(c.tls.requirePeerCertificate);
  EXPECT_TRUE(c.tls.nonDowngrading);
  EXPECT_TRUE(c.https);
  EXPECT_TRUE(c.findPeer("PACS")->tls);
  EXPECT_EQ(parseConfig(R"({"tls_ca":["a.pem","b.pem"]})").tls.caCertificates.size(), 2u);
  auto only = parseConfig(R"({"dicom_port":0,"tls_port":11112,"tls_cert":"s.pem","tls_key":"s.key"})");
  EXPECT_EQ(only.dicomPort, 0);
  auto expectError = [](const char* json, const char* words) {
    try {
      parseConfig(json);
      FAIL() << "accepted " << json;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expectError(R"({"tls_port":2762})", "needs 'tls_cert'");
  expectError(R"({"tls_profile":"tls1.0"})", "tls_profile");
  expectError(R"({"tls_cert":"a","tls_key":"b","tls_require_client_cert":true})", "needs 'tls_ca'");
  expectError(R"({"https":true})", "'https' needs");
  expectError(R"({"dicom_port":0})", "needs a 'tls_port'");
  expectError(R"({"peers":[{"aet":"P","host":"h","port":1,"tls":true}]})", "which CAs to trust");
}
