#pragma once
// The server's configuration: one JSON file (see config/atrium.example.json), then CLI overrides.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrium {

// What a peer may ask of the archive over DICOM (C-ECHO: every accepted peer).
enum class DicomService { Store, Query, Retrieve, Worklist, Commitment };

struct Peer {
  std::string aet;
  std::string host;  // where we reach it, and the only host its calling AE title is accepted from
  int port = 104;
  bool tls = false;                    // associate over TLS, with the server's "tls" certificate, key and CAs
  std::vector<DicomService> services;  // what it may use; empty: everything
  // Transfer syntax UIDs proposed to it, in order of preference ("transfer_syntaxes": names or
  // UIDs); empty: each file's own syntax, then Explicit and Implicit VR Little Endian.
  std::vector<std::string> transferSyntaxes;
};

// One of several DICOM ports ("listeners"): its AE titles, TLS or not, the services it offers
// (e.g. store on 104, query/retrieve on 7000, worklist on 4001). Without listeners, dicom_port and
// tls_port serve everything under "aet".
struct ListenerConfig {
  int port = 0;
  std::vector<std::string> aets;       // called AE titles it answers to (empty: "aet")
  bool tls = false;                    // DICOM TLS on this port (tls_cert and tls_key)
  std::vector<DicomService> services;  // empty: everything; C-ECHO is always answered
};

// DICOM TLS (DCMTK's dcmtls, the BCP 195 profiles: TLS 1.2 and 1.3 only). The same settings serve
// the archive's TLS port, its associations to "tls" peers and the clients' --tls.
struct TlsConfig {
  int port = 0;                             // the server's TLS port (0: none; the plain port's number: TLS only there)
  std::string certificate, privateKey;      // PEM; a client needs them only for mutual authentication
  std::vector<std::string> caCertificates;  // PEM files: the CAs whose certificates we trust
  bool requirePeerCertificate = false;      // server: mutual authentication (client certificates required)
  bool nonDowngrading = false;              // BCP 195 non-downgrading profile
};

enum class DuplicatePolicy { KeepFirst, Overwrite };

// Auto-forwarding: an instance whose attributes match every entry of `match` (keyword or
// "calling_aet" → value with * and ? wildcards; '\' separates alternatives) is queued for each
// destination (a peer's AE title).
struct Route {
  std::string name;
  std::vector<std::pair<std::string, std::string>> match;
  std::vector<std::string> destinations;
  // "deidentify": {"options": [...]}: what goes to these destinations is de-identified (PS3.15
  // Basic Profile with these options, the data folder's project key) — forwarded and pushed alike.
  bool deidentify = false;
  std::vector<std::string> deidOptions;
};

// Automatic cardiac analysis of short-axis cine MR studies once they are complete.
struct AnalysisRule {
  bool enabled = false;
  int stableSeconds = 60;  // no new MR image for this long = the study is complete
  int workers = 1;         // analyses at a time, each a process of its own
  int timeLimitSeconds = 600;
  int memoryMb = 4096;    // address-space limit of an analysis process; 0: none
  std::string segmenter;  // "learned" | "classic"; empty: `atrium analyze`'s default
};

// Keeping the disk from filling: when storing would pass max_storage_gb (the stored files) or leave
// less than min_free_gb free, refuse the instance, or first delete the oldest
// studies that are not protected and have no send job pending. Refused: C-STORE status A700, STOW-RS
// failure reason A700.
enum class StorageFullPolicy { Refuse, DeleteOldest };
struct StorageLimitsConfig {
  double maxStorageGb = 0;  // 0: no limit
  double minFreeGb = 0.1;   // room left for the index, logs and the system
  StorageFullPolicy whenFull = StorageFullPolicy::Refuse;
  double verifyIntervalHours = 168;  // re-hash every stored file this often (0: never)
};

struct RetryPolicy {
  int maxAttempts = 10;
  int initialDelaySeconds = 10;  // doubled after each failed attempt
  int maxDelaySeconds = 600;
};

// HTTP users and tokens. `password` only from `serve --user` (hashed at start), never from a file.
struct HttpUserConfig {
  std::string name, password, passwordHash, role;
};
struct HttpTokenConfig {
  std::string name, sha256, role;
};
struct HttpAuthConfig {
  bool enabled = true;  // off only when explicitly disabled (local use)
  std::vector<HttpUserConfig> users;
  std::vector<HttpTokenConfig> tokens;
};

// NEMA XR 25-style dose check: a study's events of a protocol above these levels raise an alert.
struct DoseNotificationLevel {
  std::string protocol;  // Acquisition Protocol, '*' and '?' wildcards, case-insensitive
  double dlpMgyCm = 0;   // the study's total DLP of that protocol (0: not checked)
  double ctdivolMgy = 0; // any one event's CTDIvol (0: not checked)
};

struct Config {
  std::string aet = "ATRIUM";
  int dicomPort = 4242;  // plain DICOM (0: none, with TLS on tls.port)
  TlsConfig tls;
  int httpPort = 8042;  // 0: no HTTP server
  std::string httpBind = "0.0.0.0";
  bool https = false;  // HTTPS with the tls_cert and tls_key (client certificates when tls_require_client_cert)
  int httpThreads = 16;
  long httpMaxBodyMb = 1024;  // STOW-RS and other request bodies
  std::string viewerDir;      // the built viewer; empty: the one of this source tree
  HttpAuthConfig httpAuth;
  std::filesystem::path dataDir = "data";
  long maxPdu = 16384;                          // 4096..131072
  int maxAssociations = 64;                     // simultaneous associations
  std::vector<std::string> allowedCallingAets;  // empty = any
  bool checkCalledAet = true;
  int artimTimeoutSeconds = 30;  // association negotiation (ARTIM)
  int dimseTimeoutSeconds = 60;  // waiting for the next DIMSE message / data
  DuplicatePolicy duplicatePolicy = DuplicatePolicy::KeepFirst;
  bool personNameCaseInsensitive = true;  // C-FIND/QIDO matching of PN values
  std::vector<Peer> peers;
  // Calling AE titles that are no peer's: accepted (for every service) or refused. Unset: accepted
  // only while no peer is configured.
  std::optional<bool> acceptUnknownAets;
  bool acceptOnlyImplicit = false;
  std::vector<std::string> privateStorageSopClasses;  // accepted for storage beside the standard ones
  std::vector<ListenerConfig> listeners;
  std::vector<DoseNotificationLevel> doseNotificationLevels;  // old devices: every presentation context in Implicit VR Little Endian
  std::string auditSyslog;          // "udp://HOST:PORT": audit messages also to a syslog collector
  int worklistRetentionHours = 48;  // worklist items go this long after their last step
  std::vector<Route> routes;
  RetryPolicy retry;
  AnalysisRule analysis;
  StorageLimitsConfig storage;

  const Peer* findPeer(const std::string& aet) const;
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parse a JSON config file; throws ConfigError naming the bad field.
Config loadConfig(const std::filesystem::path& file);
Config parseConfig(const std::string& jsonText);
// Check ranges after CLI overrides; throws ConfigError.
void validateConfig(const Config& config);
// "AET@HOST:PORT" → Peer; throws ConfigError.
Peer parsePeer(const std::string& spec);

}  // namespace atrium
