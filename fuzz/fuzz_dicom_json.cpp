// DICOM JSON (PS3.18 F.2) as it reaches us: worklist items posted to /api/worklist (the text is
// read, checked, turned into the data set the MWL SCP answers with) and the reader under it.
// A WorklistError naming the bad field is the expected answer; any other exception, a crash or a
// sanitizer report is a finding.
#include <dcmtk/dcmdata/dctk.h>

#include <nlohmann/json.hpp>
#include <string>

#include "dicom/dcmtk_setup.h"
#include "dicom/dicom_json.h"
#include "fuzz_support.h"
#include "worklist/worklist_item.h"

using namespace atrium;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::quietLogs();
  dicom::initializeDcmtk();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto item = worklist::parseWorklistItem(text);
    // What the MWL SCP does with a stored item: its JSON back into a data set, written out.
    auto ds = worklist::itemDataset(item.json);
    DcmFileFormat ff(ds.get());
    std::uint32_t length = ff.calcElementLength(EXS_LittleEndianExplicit, EET_ExplicitLength);
    (void)length;
  } catch (const worklist::WorklistError&) {}
  // The reader alone, on any JSON object (STOW-RS metadata will arrive the same way).
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    DcmDataset ds;
    try {
      dicom::fromDicomJson(j, ds);
    } catch (const dicom::DicomJsonError&) {}
  }
  return 0;
}
