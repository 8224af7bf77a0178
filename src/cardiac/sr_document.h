#pragma once
// What every measurement report Atrium writes (ventricular function, flow, maps) shares: the
// TID 1500 tree made a Comprehensive SR document in the source images' patient and study, a new
// series, and the numeric measurements of a TID 1501 group.
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace atrium::cardiac {

struct SrSeries {
  std::string studyUid, seriesNumber, seriesDescription;
};

// The report's tree as a Comprehensive SR (DCMTK builds TID 1500 as Enhanced SR; the content fits
// Comprehensive SR, which more PACS show) with patient and study from sourceImage (dates that are
// not dates left out), in a new series. Throws std::runtime_error naming the step.
void makeReportDocument(DSRDocument& doc, TID1500_MeasurementReport& report, const std::filesystem::path& sourceImage,
                        const SrSeries& series);

// An image the measurements were made on (Current Requested Procedure Evidence).
void addEvidence(DSRDocument& doc, const std::string& studyUid, const std::string& seriesUid,
                 const std::string& sopClassUid, const std::string& sopInstanceUid);

// Completes the document, writes it (Explicit VR Little Endian) and returns its SOP Instance UID.
std::string saveReportDocument(DSRDocument& doc, const std::filesystem::path& file);

// A number with its UCUM unit in a TID 1501 group.
void addNumber(CMR_TID1501_in_TID1500& group, const DSRCodedEntryValue& name, double value, int decimals,
               const char* ucum, const char* unitMeaning);

// Fixed decimals, as the JSON summaries round.
std::string decimalText(double v, int decimals);

}  // namespace atrium::cardiac
