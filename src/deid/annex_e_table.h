#pragma once
// PS3.15 Annex E, Table E.1-1: what the Basic Application Level Confidentiality Profile does with each
// attribute, and what each option changes. Transcribed from the standard (2023 edition) into our own
// compact form (annex_e_table.cpp); attributes the table does not list are kept, private ones removed.
#include <cstdint>
#include <optional>
#include <string>

namespace atrium::deid {

// The actions of the table. Compound ones ("X/Z": remove unless the IOD needs it empty) are read
// as the strictest conformant one: X/Z → Z, X/D, Z/D, X/Z/D → D, X/Z/U* → U (a sequence kept, its
// UIDs replaced and its items de-identified by the same table).
enum class Action : char {
  Keep = 'K',
  Remove = 'X',
  Empty = 'Z',
  Dummy = 'D',
  Uid = 'U',
  Clean = 'C',
};

enum class Option : int {
  RetainSafePrivate = 0,
  RetainUids,
  RetainDeviceIdentity,
  RetainInstitutionIdentity,
  RetainPatientCharacteristics,
  RetainLongFullDates,
  RetainLongModifiedDates,
  CleanDescriptors,
  CleanStructuredContent,
  CleanGraphics,
  CleanPixelData,  // not a column of the table: Annex E's Clean Pixel Data Option (burned-in text)
  Count
};

struct Rule {
  Action basic = Action::Keep;
  std::optional<Action> option[static_cast<int>(Option::Count)];
};

// The rule of a (non-private) tag, with the repeating groups 50xx and 60xx; nullopt: not in the
// table (kept).
std::optional<Rule> ruleFor(std::uint16_t group, std::uint16_t element);
// How many attributes the table lists (for tests and the README).
std::size_t tableSize();

// "retain-long-modified-dates" etc. ↔ Option; the DCM code of CID 7050 for the De-identification
// Method Code Sequence.
std::optional<Option> parseOption(const std::string& name);
const char* optionName(Option o);
const char* optionCode(Option o);
const char* optionMeaning(Option o);

}  // namespace atrium::deid
