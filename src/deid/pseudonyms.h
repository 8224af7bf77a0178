#pragma once
// Replacement values derived from a project key by a keyed hash (HMAC-SHA256): the same original
// gives the same replacement in every run with the same key, and nothing maps back without the key;
// no table of originals is kept anywhere.
#include <string>

namespace atrium::deid {

class Pseudonyms {
 public:
  explicit Pseudonyms(std::string key) : key_(std::move(key)) {}

  // "2.25." and 128 bits of the hash as a decimal number (PS3.5 B.2).
  std::string uid(const std::string& original) const;
  // "ANON" and 10 base-32 characters: a patient's replacement ID (and name).
  std::string patientId(const std::string& original) const;
  // Days (1 to 3650) that a patient's dates move back by (Retain Longitudinal Modified Dates):
  // the same for every study of a patient, so intervals between them are kept.
  int dateShiftDays(const std::string& patientKey) const;

 private:
  std::string mac(const std::string& domain, const std::string& value) const;
  std::string key_;
};

// A key from the file's first line (at least 16 characters); std::runtime_error naming the file.
std::string readKeyFile(const std::string& path);
// 32 random bytes as hex: the key of a run without a key file (consistent within that run only).
std::string randomKey();
// The archive's project key: <dataDir>/deid.key, made on first use (0600, written once even when
// two first uses race). std::runtime_error when it cannot be made or read.
std::string projectKeyOf(const std::string& dataDir);

}  // namespace atrium::deid
