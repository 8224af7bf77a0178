#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <map>

#include "dimse/peer_access.h"

using namespace atrium;
using namespace atrium::dimse;

namespace {

class Directory : public IPeerDirectory {
 public:
  explicit Directory(std::vector<Peer> peers) : peers_(std::move(peers)) {}
  std::optional<Peer> find(const std::string& aet) const override {
    for (const auto& p : peers_)
      if (p.aet == aet) return p;
    return std::nullopt;
  }

 private:
  std::vector<Peer> peers_;
};

Peer peer(const std::string& aet, const std::string& host, std::vector<DicomService> services = {}) {
  Peer p;
  p.aet = aet;
  p.host = host;
  p.services = std::move(services);
  return p;
}

std::vector<std::string> fakeDns(const std::string& host) {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"ct1.hospital", {"10.0.0.5"}}, {"10.0.0.7", {"10.0.0.7"}}, {"pacs.hospital", {"10.0.1.1", "fd00::1"}}};
  auto it = table.find(host);
  return it == table.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace

TEST(PeerAccess, KnownPeersOnlyFromTheirOwnHost) {
  Config c;
  c.peers = {peer("CT1", "ct1.hospital"), peer("PACS", "pacs.hospital")};
  Directory d(c.peers);
  EXPECT_TRUE(checkCaller(c, d, "CT1", "10.0.0.5", fakeDns).accepted);
  EXPECT_TRUE(checkCaller(c, d, "CT1 ", "::ffff:10.0.0.5", fakeDns).accepted);  // padded AE, v4-mapped address
  auto elsewhere = checkCaller(c, d, "CT1", "10.0.0.6", fakeDns);
  EXPECT_FALSE(elsewhere.accepted);
  EXPECT_NE(elsewhere.reason.find("belongs to host ct1.hospital, not to 10.0.0.6"), std::string::npos);
  EXPECT_TRUE(checkCaller(c, d, "PACS", "fd00::1", fakeDns).accepted);
}

TEST(PeerAccess, UnknownCallersRefusedOnceAnyPeerIsConfigured) {
  Config none;
  Directory empty({});
  EXPECT_TRUE(checkCaller(none, empty, "ANYONE", "10.0.0.9", fakeDns).accepted);
  Config c;
  c.peers = {peer("CT1", "ct1.hospital")};
  Directory d(c.peers);
  auto stranger = checkCaller(c, d, "STRANGER", "10.0.0.9", fakeDns);
  EXPECT_FALSE(stranger.accepted);
  EXPECT_NE(stranger.reason.find("no configured peer"), std::string::npos);
  c.acceptUnknownAets = true;
  EXPECT_TRUE(checkCaller(c, d, "STRANGER", "10.0.0.9", fakeDns).accepted);
  EXPECT_TRUE(checkCaller(c, d, "STRANGER", "10.0.0.9", fakeDns).may(DicomService::Retrieve));
  none.acceptUnknownAets = false;
  EXPECT_FALSE(checkCaller(none, empty, "ANYONE", "10.0.0.9", fakeDns).accepted);
}

TEST(PeerAccess, ServicesPerPeer) {
  Config c;
  c.peers = {peer("CT1", "10.0.0.7", {DicomService::Store, DicomService::Worklist}), peer("ALL", "10.0.0.7")};
  Directory d(c.peers);
  auto ct = checkCaller(c, d, "CT1", "10.0.0.7", fakeDns);
  EXPECT_TRUE(ct.may(DicomService::Store));
  EXPECT_TRUE(ct.may(DicomService::Worklist));
  EXPECT_FALSE(ct.may(DicomService::Query));
  EXPECT_FALSE(ct.may(DicomService::Retrieve));
  EXPECT_FALSE(ct.may(DicomService::Commitment));
  EXPECT_TRUE(checkCaller(c, d, "ALL", "10.0.0.7", fakeDns).may(DicomService::Commitment));
}

TEST(PeerAccess, ServiceOfEachContext) {
  EXPECT_EQ(serviceOf(UID_MRImageStorage, false), DicomService::Store);
  EXPECT_EQ(serviceOf(UID_MRImageStorage, true), DicomService::Retrieve);  // a C-GET's sub-operations
  EXPECT_EQ(serviceOf(UID_FINDStudyRootQueryRetrieveInformationModel, false), DicomService::Query);
  EXPECT_EQ(serviceOf(UID_MOVEPatientRootQueryRetrieveInformationModel, false), DicomService::Retrieve);
  EXPECT_EQ(serviceOf(UID_GETStudyRootQueryRetrieveInformationModel, false), DicomService::Retrieve);
  EXPECT_EQ(serviceOf(UID_FINDModalityWorklistInformationModel, false), DicomService::Worklist);
  EXPECT_EQ(serviceOf(UID_StorageCommitmentPushModelSOPClass, false), DicomService::Commitment);
  EXPECT_EQ(serviceOf(UID_VerificationSOPClass, false), std::nullopt);
}

TEST(PeerAccess, ConfigReadsServicesAndTheSwitch) {
  auto c = parseConfig(R"({"accept_unknown_aets":true,
    "peers":[{"aet":"CT1","host":"10.0.0.7","port":104,"services":["store","worklist"]}]})");
  EXPECT_EQ(c.acceptUnknownAets, true);
  ASSERT_EQ(c.peers[0].services.size(), 2u);
  EXPECT_EQ(c.peers[0].services[1], DicomService::Worklist);
  EXPECT_THROW(parseConfig(R"({"peers":[{"aet":"CT1","host":"h","port":1,"services":["print"]}]})"), ConfigError);
}
