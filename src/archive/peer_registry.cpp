#include "archive/peer_registry.h"

#include <algorithm>
#include <mutex>

#include "index/index_db.h"
#include "index/sqlite_util.h"

namespace atrium {

dimse::PeerAddress peerAddress(const Peer& peer, const Config& config) {
  dimse::PeerAddress a;
  a.host = peer.host;
  a.port = peer.port;
  a.calledAet = peer.aet;
  a.callingAet = config.aet;
  a.maxPdu = config.maxPdu;
  a.timeoutSeconds = config.dimseTimeoutSeconds;
  if (peer.tls) a.tls = config.tls;
  a.transferSyntaxes = peer.transferSyntaxes;
  return a;
}

PeerRegistry::PeerRegistry(const std::vector<Peer>& configured, index::IndexDatabase& db)
    : configured_(configured), db_(db) {
  db_.select("SELECT aet,host,port FROM peers ORDER BY aet", {}, [&](const index::Statement& r) {
    Peer p;
    p.aet = r.text(0);
    p.host = r.text(1);
    p.port = static_cast<int>(r.integer(2));
    if (std::none_of(configured_.begin(), configured_.end(), [&](const Peer& c) { return c.aet == p.aet; }))
      added_.push_back(p);
    return true;
  });
}

std::optional<Peer> PeerRegistry::find(const std::string& aet) const {
  for (const auto& p : configured_)
    if (p.aet == aet) return p;
  std::shared_lock lock(mutex_);
  for (const auto& p : added_)
    if (p.aet == aet) return p;
  return std::nullopt;
}

std::vector<PeerRegistry::Entry> PeerRegistry::list() const {
  std::vector<Entry> out;
  for (const auto& p : configured_) out.push_back({p, true});
  std::shared_lock lock(mutex_);
  for (const auto& p : added_) out.push_back({p, false});
  return out;
}

void PeerRegistry::add(const Peer& peer) {
  // The same checks as the config file's (AE title, host, port).
  Peer checked;
  try {
    checked = parsePeer(peer.aet + "@" + peer.host + ":" + std::to_string(peer.port));
  } catch (const ConfigError& e) {
    throw PeerError(e.what());
  }
  if (std::any_of(configured_.begin(), configured_.end(), [&](const Peer& c) { return c.aet == checked.aet; }))
    throw PeerError("peer " + checked.aet + " comes from the config file; change it there");
  std::unique_lock lock(mutex_);
  std::string error;
  bool ok = db_.write(
      [&](sqlite3* c) {
        index::Statement s(c,
                           "INSERT INTO peers(aet,host,port) VALUES(?,?,?) "
                           "ON CONFLICT(aet) DO UPDATE SET host=excluded.host, port=excluded.port");
        s.bind(1, checked.aet).bind(2, checked.host).bind(3, std::int64_t(checked.port));
        s.step();
      },
      &error);
  if (!ok) throw std::runtime_error("cannot store the peer: " + error);
  std::erase_if(added_, [&](const Peer& p) { return p.aet == checked.aet; });
  added_.push_back(checked);
}

bool PeerRegistry::remove(const std::string& aet) {
  if (std::any_of(configured_.begin(), configured_.end(), [&](const Peer& c) { return c.aet == aet; }))
    throw PeerError("peer " + aet + " comes from the config file; remove it there");
  std::unique_lock lock(mutex_);
  std::string error;
  bool ok = db_.write(
      [&](sqlite3* c) {
        index::Statement s(c, "DELETE FROM peers WHERE aet=?");
        s.bind(1, aet);
        s.step();
      },
      &error);
  if (!ok) throw std::runtime_error("cannot remove the peer: " + error);
  return std::erase_if(added_, [&](const Peer& p) { return p.aet == aet; }) > 0;
}

}  // namespace atrium
