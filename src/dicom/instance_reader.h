#pragma once
// The bridge from a Part 10 file on disk to Atrium's InstanceRecord (DCMTK stays behind it).
#include <filesystem>
#include <string>

#include "dicom/instance_record.h"

namespace atrium::dicom {

enum class ReadProblem {
  None,
  Unreadable,  // I/O error
  NotDicom,    // unparsable, truncated, lengths past the end
  NoSopInstanceUid,
  NoSopClassUid,
  InvalidPresentationState,
};

struct ReadResult {
  ReadProblem problem = ReadProblem::None;
  std::string message;
  InstanceRecord record;
  bool ok() const { return problem == ReadProblem::None; }
};

// Parse a Part 10 file (bulk values left on disk), validate what C-STORE must validate, and
// extract the index attributes decoded to UTF-8 from the data set's Specific Character Set.
ReadResult readInstanceFile(const std::filesystem::path& file);

// Just the meta header facts a sender needs (cheap: stops before the data set's bulk).
struct FileMeta {
  bool ok = false;
  std::string message, sopClassUid, sopInstanceUid, transferSyntaxUid;
};
FileMeta readFileMeta(const std::filesystem::path& file);

}  // namespace atrium::dicom
