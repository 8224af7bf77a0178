#include "config/config.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>
#include <utility>

namespace atrium {
namespace {
using nlohmann::json;

template <typename T>
void read(const json& j, const char* key, T& out) {
  if (!j.contains(key)) return;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // A whole number that fits: 1e40 or 2^40 would otherwise be converted out of range (UBSan,
    // fuzz/regressions/config/number-too-large-for-an-int) or wrapped into a valid-looking value.
    const json& v = j.at(key);
    bool fits = v.is_number_integer() && (v.is_number_unsigned() ? std::in_range<T>(v.get<std::uint64_t>())
                                                                 : std::in_range<T>(v.get<std::int64_t>()));
    if (!fits) throw ConfigError(std::string("config: field '") + key + "' must be a whole number in range");
  }
  try {
    out = j.at(key).get<T>();
  } catch (const json::exception&) {
    throw ConfigError(std::string("config: field '") + key + "' has the wrong type");
  }
}

bool validAet(const std::string& aet) {
  if (aet.empty() || aet.size() > 16) return false;
  for (char c : aet)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return aet.find_first_not_of(' ') != std::string::npos;
}

// Every top-level field; anything else is a typo, refused with its name.
void refuseUnknownFields(const json& j) {
  static const char* known[] = {"aet",
                                "dicom_port",
                                "http_port",
                                "data_dir",
                                "max_pdu",
                                "max_associations",
                                "allowed_calling_aets",
                                "check_called_aet",
                                "artim_timeout_s",
                                "dimse_timeout_s",
                                "duplicate_policy",
                                "peers",
                                "pn_case_insensitive",
                                "worklist_retention_hours",
                                "routes",
                                "retry",
                                "http_bind",
                                "https",
                                "http_threads",
                                "http_max_body_mb",
                                "http_auth",
                                "http_users",
                                "http_tokens",
                                "viewer_dir",
                                "analysis",
                                "max_storage_gb",
                                "min_free_gb",
                                "storage_full_policy",
                                "verify_interval_h",
                                "tls_port",
                                "tls_cert",
                                "tls_key",
                                "tls_ca",
                                "tls_require_client_cert",
                                "tls_profile",
                                "accept_unknown_aets",
                                "accept_only_implicit",
                                "private_storage_sop_classes",
                                "dose_notification_levels",
                                "listeners",
                                "audit_syslog"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) throw ConfigError("config: unknown field '" + it.key() + "'");
  }
}

// Identity, ports, DICOM limits, duplicates, matching, data folder.
void readArchive(const json& j, Config& c) {
  read(j, "aet", c.aet);
  read(j, "dicom_port", c.dicomPort);
  read(j, "http_port", c.httpPort);
  std::string dataDir;
  read(j, "data_dir", dataDir);
  if (!dataDir.empty()) c.dataDir = dataDir;
  read(j, "max_pdu", c.maxPdu);
  read(j, "max_associations", c.maxAssociations);
  read(j, "allowed_calling_aets", c.allowedCallingAets);
  read(j, "check_called_aet", c.checkCalledAet);
  read(j, "artim_timeout_s", c.artimTimeoutSeconds);
  read(j, "dimse_timeout_s", c.dimseTimeoutSeconds);
  read(j, "pn_case_insensitive", c.personNameCaseInsensitive);
  read(j, "audit_syslog", c.auditSyslog);
  if (j.contains("accept_unknown_aets")) {
    bool accept = false;
    read(j, "accept_unknown_aets", accept);
    c.acceptUnknownAets = accept;
  }
  std::string dup = "keep-first";
  read(j, "duplicate_policy", dup);
  read(j, "accept_only_implicit", c.acceptOnlyImplicit);
  read(j, "private_storage_sop_classes", c.privateStorageSopClasses);
  if (j.contains("dose_notification_levels")) {
    if (!j["dose_notification_levels"].is_array())
      throw ConfigError("config: 'dose_notification_levels' must be an array");
    for (const auto& l : j["dose_notification_levels"]) {
      if (!l.is_object()) throw ConfigError("config: each dose notification level must be an object");
      DoseNotificationLevel level;
      read(l, "protocol", level.protocol);
      read(l, "dlp_mgycm", level.dlpMgyCm);
      read(l, "ctdivol_mgy", level.ctdivolMgy);
      if (level.protocol.empty()) throw ConfigError("config: a dose notification level needs a 'protocol'");
      if (level.dlpMgyCm < 0 || level.ctdivolMgy < 0 || (level.dlpMgyCm == 0 && level.ctdivolMgy == 0))
        throw ConfigError("config: dose notification level '" + level.protocol +
                          "' needs a positive 'dlp_mgycm' or 'ctdivol_mgy'");
      c.doseNotificationLevels.push_back(level);
    }
  }
  if (dup == "keep-first")
    c.duplicatePolicy = DuplicatePolicy::KeepFirst;
  else if (dup == "overwrite")
    c.duplicatePolicy = DuplicatePolicy::Overwrite;
  else
    throw ConfigError("config: duplicate_policy must be 'keep-first' or 'overwrite'");
}

// "peers": AE title, host and port of each.
DicomService serviceNamed(const std::string& s, const std::string& where) {
  static const std::pair<const char*, DicomService> names[] = {{"store", DicomService::Store},
                                                               {"query", DicomService::Query},
                                                               {"retrieve", DicomService::Retrieve},
                                                               {"worklist", DicomService::Worklist},
                                                               {"commitment", DicomService::Commitment}};
  auto it = std::find_if(std::begin(names), std::end(names), [&](const auto& n) { return s == n.first; });
  if (it == std::end(names))
    throw ConfigError("config: " + where + ": unknown service '" + s + "' (store, query, retrieve, worklist, commitment)");
  return it->second;
}

// "listeners": several DICOM ports, each with its AE titles, TLS and services.
void readListeners(const json& j, Config& c) {
  if (!j.contains("listeners")) return;
  if (!j["listeners"].is_array()) throw ConfigError("config: 'listeners' must be an array");
  for (const auto& l : j["listeners"]) {
    if (!l.is_object()) throw ConfigError("config: each listener must be an object");
    ListenerConfig listener;
    read(l, "port", listener.port);
    read(l, "aets", listener.aets);
    read(l, "tls", listener.tls);
    std::vector<std::string> services;
    read(l, "services", services);
    const std::string where = "listener on port " + std::to_string(listener.port);
    if (listener.port < 1 || listener.port > 65535) throw ConfigError("config: a listener needs a 'port' (1-65535)");
    for (const auto& a : listener.aets)
      if (!validAet(a)) throw ConfigError("config: " + where + ": invalid AE title '" + a + "'");
    for (const auto& name : services) listener.services.push_back(serviceNamed(name, where));
    for (const auto& other : c.listeners)
      if (other.port == listener.port) throw ConfigError("config: two listeners on port " + std::to_string(listener.port));
    c.listeners.push_back(std::move(listener));
  }
}

void readPeers(const json& j, Config& c) {
  if (j.contains("peers")) {
    if (!j["peers"].is_array()) throw ConfigError("config: 'peers' must be an array");
    for (const auto& p : j["peers"]) {
      Peer peer;
      if (!p.is_object()) throw ConfigError("config: each peer must be an object");
      read(p, "aet", peer.aet);
      read(p, "host", peer.host);
      read(p, "port", peer.port);
      read(p, "tls", peer.tls);
      std::vector<std::string> services;
      read(p, "services", services);
      for (const auto& name : services) peer.services.push_back(serviceNamed(name, "peer " + peer.aet));
      std::vector<std::string> syntaxes;
      read(p, "transfer_syntaxes", syntaxes);
      for (const auto& ts : syntaxes) {
        static const std::pair<const char*, const char*> known[] = {
            {"implicit", "1.2.840.10008.1.2"},           {"explicit", "1.2.840.10008.1.2.1"},
            {"big-endian", "1.2.840.10008.1.2.2"},       {"jpeg-lossless", "1.2.840.10008.1.2.4.70"},
            {"jpeg-ls-lossless", "1.2.840.10008.1.2.4.80"}, {"j2k-lossless", "1.2.840.10008.1.2.4.90"}};
        auto it = std::find_if(std::begin(known), std::end(known),
                               [&](const auto& k) { return ts == k.first || ts == k.second; });
        if (it == std::end(known))
          throw ConfigError("config: peer " + peer.aet + ": unknown transfer syntax '" + ts +
                            "' (implicit, explicit, big-endian, jpeg-lossless, jpeg-ls-lossless, j2k-lossless)");
        peer.transferSyntaxes.push_back(it->second);
      }
      if (!validAet(peer.aet)) throw ConfigError("config: peer has an invalid 'aet'");
      if (peer.host.empty()) throw ConfigError("config: peer " + peer.aet + " has no 'host'");
      if (peer.port < 1 || peer.port > 65535) throw ConfigError("config: peer " + peer.aet + " has an invalid 'port'");
      c.peers.push_back(peer);
    }
  }
}

// "routes": forwarding rules (checked against the peers by validateConfig).
void readRoutes(const json& j, Config& c) {
  if (j.contains("routes")) {
    if (!j["routes"].is_array()) throw ConfigError("config: 'routes' must be an array");
    for (const auto& r : j["routes"]) {
      if (!r.is_object()) throw ConfigError("config: each route must be an object");
      Route route;
      read(r, "name", route.name);
      if (r.contains("match")) {
        if (!r["match"].is_object()) throw ConfigError("config: route '" + route.name + "': 'match' must be an object");
        for (auto it = r["match"].begin(); it != r["match"].end(); ++it) {
          if (!it.value().is_string())
            throw ConfigError("config: route '" + route.name + "': match value of '" + it.key() + "' must be a string");
          route.match.emplace_back(it.key(), it.value().get<std::string>());
        }
      }
      read(r, "destinations", route.destinations);
      if (route.destinations.empty()) throw ConfigError("config: route '" + route.name + "' has no 'destinations'");
      if (r.contains("deidentify")) {
        const auto& d = r["deidentify"];
        if (!d.is_object()) throw ConfigError("config: route '" + route.name + "': 'deidentify' must be an object");
        route.deidentify = true;
        read(d, "options", route.deidOptions);
      }
      c.routes.push_back(std::move(route));
    }
  }
}

// Storage limits and the scheduled integrity check.
void readStorage(const json& j, Config& c) {
  read(j, "max_storage_gb", c.storage.maxStorageGb);
  read(j, "min_free_gb", c.storage.minFreeGb);
  read(j, "verify_interval_h", c.storage.verifyIntervalHours);
  std::string full = "refuse";
  read(j, "storage_full_policy", full);
  if (full == "refuse")
    c.storage.whenFull = StorageFullPolicy::Refuse;
  else if (full == "delete-oldest")
    c.storage.whenFull = StorageFullPolicy::DeleteOldest;
  else
    throw ConfigError("config: storage_full_policy must be 'refuse' or 'delete-oldest'");
}

// The HTTP server: bind, threads, body limit, viewer, users and tokens.
void readHttp(const json& j, Config& c) {
  read(j, "http_bind", c.httpBind);
  read(j, "https", c.https);
  read(j, "viewer_dir", c.viewerDir);
  read(j, "http_threads", c.httpThreads);
  read(j, "http_max_body_mb", c.httpMaxBodyMb);
  read(j, "http_auth", c.httpAuth.enabled);
  if (j.contains("http_users")) {
    if (!j["http_users"].is_array()) throw ConfigError("config: 'http_users' must be an array");
    for (const auto& u : j["http_users"]) {
      HttpUserConfig user;
      if (!u.is_object()) throw ConfigError("config: each http user must be an object");
      read(u, "name", user.name);
      read(u, "password_hash", user.passwordHash);
      read(u, "role", user.role);
      if (user.name.empty() || user.passwordHash.empty())
        throw ConfigError("config: an http user needs 'name' and 'password_hash' (from `atrium hash-password`)");
      c.httpAuth.users.push_back(user);
    }
  }
  if (j.contains("http_tokens")) {
    if (!j["http_tokens"].is_array()) throw ConfigError("config: 'http_tokens' must be an array");
    for (const auto& t : j["http_tokens"]) {
      HttpTokenConfig token;
      if (!t.is_object()) throw ConfigError("config: each http token must be an object");
      read(t, "name", token.name);
      read(t, "sha256", token.sha256);
      read(t, "role", token.role);
      c.httpAuth.tokens.push_back(token);
    }
  }
}

// "analysis": automatic cardiac analysis.
void readAnalysis(const json& j, Config& c) {
  if (j.contains("analysis")) {
    const auto& a = j["analysis"];
    if (!a.is_object()) throw ConfigError("config: 'analysis' must be an object");
    read(a, "enabled", c.analysis.enabled);
    read(a, "stable_s", c.analysis.stableSeconds);
    read(a, "workers", c.analysis.workers);
    read(a, "time_limit_s", c.analysis.timeLimitSeconds);
    read(a, "memory_mb", c.analysis.memoryMb);
    read(a, "segmenter", c.analysis.segmenter);
    if (c.analysis.stableSeconds < 1) throw ConfigError("config: 'analysis.stable_s' must be positive");
    if (c.analysis.workers < 1 || c.analysis.workers > 64)
      throw ConfigError("config: 'analysis.workers' must be 1..64");
    if (c.analysis.timeLimitSeconds < 1) throw ConfigError("config: 'analysis.time_limit_s' must be positive");
    if (c.analysis.memoryMb < 0 || (c.analysis.memoryMb > 0 && c.analysis.memoryMb < 256))
      throw ConfigError("config: 'analysis.memory_mb' must be 0 (no limit) or at least 256");
    if (!c.analysis.segmenter.empty() && c.analysis.segmenter != "learned" && c.analysis.segmenter != "classic")
      throw ConfigError("config: 'analysis.segmenter' must be \"learned\" or \"classic\"");
  }
}

// TLS: "tls_port", "tls_cert", "tls_key", "tls_ca" (a file or a list), "tls_require_client_cert",
// "tls_profile": "bcp195" | "bcp195-nd"; the same names as serve's options.
void readTls(const json& j, Config& c) {
  read(j, "tls_port", c.tls.port);
  read(j, "tls_cert", c.tls.certificate);
  read(j, "tls_key", c.tls.privateKey);
  if (j.contains("tls_ca")) {
    if (j["tls_ca"].is_string())
      c.tls.caCertificates = {j["tls_ca"].get<std::string>()};
    else
      read(j, "tls_ca", c.tls.caCertificates);
  }
  read(j, "tls_require_client_cert", c.tls.requirePeerCertificate);
  std::string profile = "bcp195";
  read(j, "tls_profile", profile);
  if (profile != "bcp195" && profile != "bcp195-nd")
    throw ConfigError("config: 'tls_profile' must be 'bcp195' or 'bcp195-nd'");
  c.tls.nonDowngrading = profile == "bcp195-nd";
}

// "retry": the send queue's back-off.
void readRetry(const json& j, Config& c) {
  if (j.contains("retry")) {
    const auto& r = j["retry"];
    if (!r.is_object()) throw ConfigError("config: 'retry' must be an object");
    read(r, "max_attempts", c.retry.maxAttempts);
    read(r, "initial_delay_s", c.retry.initialDelaySeconds);
    read(r, "max_delay_s", c.retry.maxDelaySeconds);
  }
}

}  // namespace

const Peer* Config::findPeer(const std::string& aet) const {
  for (const auto& p : peers)
    if (p.aet == aet) return &p;
  return nullptr;
}

Config parseConfig(const std::string& text) {
  json j;
  try {
    j = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse errors, and numbers out of range (1e999)
    throw ConfigError(std::string("config: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("config: top level must be a JSON object");
  refuseUnknownFields(j);
  Config c;
  readArchive(j, c);
  readPeers(j, c);
  readListeners(j, c);
  read(j, "worklist_retention_hours", c.worklistRetentionHours);
  readRoutes(j, c);
  readStorage(j, c);
  readHttp(j, c);
  readAnalysis(j, c);
  readRetry(j, c);
  readTls(j, c);
  validateConfig(c);
  return c;
}

Config loadConfig(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError("config: cannot read " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return parseConfig(ss.str());
}

void validateConfig(const Config& c) {
  if (!validAet(c.aet))
    throw ConfigError("config: 'aet' must be 1-16 characters without backslash or control characters");
  if (c.dicomPort < 0 || c.dicomPort > 65535) throw ConfigError("config: 'dicom_port' must be 0-65535");
  if (c.tls.port < 0 || c.tls.port > 65535) throw ConfigError("config: 'tls_port' must be 0-65535");
  if (c.dicomPort == 0 && c.tls.port == 0) throw ConfigError("config: 'dicom_port' 0 needs a 'tls_port'");
  if (c.tls.port != 0 && (c.tls.certificate.empty() || c.tls.privateKey.empty()))
    throw ConfigError("config: 'tls_port' needs 'tls_cert' and 'tls_key'");
  for (const auto& l : c.listeners)
    if (l.tls && (c.tls.certificate.empty() || c.tls.privateKey.empty()))
      throw ConfigError("config: the TLS listener on port " + std::to_string(l.port) + " needs 'tls_cert' and 'tls_key'");
  if (c.https && (c.tls.certificate.empty() || c.tls.privateKey.empty()))
    throw ConfigError("config: 'https' needs 'tls_cert' and 'tls_key'");
  if (c.tls.requirePeerCertificate && c.tls.caCertificates.empty())
    throw ConfigError("config: 'tls_require_client_cert' needs 'tls_ca' to check them against");
  for (const auto& p : c.peers)
    if (p.tls && c.tls.caCertificates.empty())
      throw ConfigError("config: peer " + p.aet + " uses TLS: 'tls_ca' must say which CAs to trust");
  if (c.httpPort < 0 || c.httpPort > 65535) throw ConfigError("config: 'http_port' must be 0-65535");
  if (c.maxPdu < 4096 || c.maxPdu > 131072) throw ConfigError("config: 'max_pdu' must be 4096-131072");
  if (c.maxAssociations < 1 || c.maxAssociations > 4096) throw ConfigError("config: 'max_associations' must be 1-4096");
  if (c.artimTimeoutSeconds < 1) throw ConfigError("config: 'artim_timeout_s' must be positive");
  if (c.dimseTimeoutSeconds < 1) throw ConfigError("config: 'dimse_timeout_s' must be positive");
  for (const auto& a : c.allowedCallingAets)
    if (!validAet(a)) throw ConfigError("config: 'allowed_calling_aets' has an invalid AE title '" + a + "'");
  if (c.httpThreads < 1 || c.httpThreads > 1024) throw ConfigError("config: 'http_threads' must be 1-1024");
  if (c.httpMaxBodyMb < 1) throw ConfigError("config: 'http_max_body_mb' must be positive");
  if (c.worklistRetentionHours < 1) throw ConfigError("config: 'worklist_retention_hours' must be positive");
  if (c.storage.maxStorageGb < 0 || c.storage.minFreeGb < 0 || c.storage.verifyIntervalHours < 0)
    throw ConfigError("config: 'max_storage_gb', 'min_free_gb' and 'verify_interval_h' must not be negative");
  if (c.retry.maxAttempts < 1 || c.retry.initialDelaySeconds < 0 ||
      c.retry.maxDelaySeconds < c.retry.initialDelaySeconds)
    throw ConfigError("config: 'retry' needs max_attempts >= 1 and 0 <= initial_delay_s <= max_delay_s");
  for (const auto& r : c.routes)
    for (const auto& d : r.destinations)
      if (!c.findPeer(d))
        throw ConfigError("config: route '" + r.name + "' forwards to '" + d + "', which is not in 'peers'");
}

Peer parsePeer(const std::string& spec) {
  auto at = spec.find('@');
  auto colon = spec.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at)
    throw ConfigError("peer must be AET@HOST:PORT, got '" + spec + "'");
  Peer p;
  p.aet = spec.substr(0, at);
  p.host = spec.substr(at + 1, colon - at - 1);
  try {
    std::size_t used = 0;
    p.port = std::stoi(spec.substr(colon + 1), &used);
    if (used != spec.size() - colon - 1) throw std::invalid_argument("port");
  } catch (const std::exception&) {
    throw ConfigError("peer port is not a number in '" + spec + "'");
  }
  if (!validAet(p.aet) || p.host.empty() || p.port < 1 || p.port > 65535)
    throw ConfigError("invalid peer '" + spec + "'");
  return p;
}

}  // namespace atrium
