#pragma once
// The headers of single-frame MR images for the quantitative tools (flow, relaxation maps): where
// each image is, what kind it is (Image Type), and the timings and encodings the fits need.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cardiac/cine_stack.h"

class DcmItem;

namespace atrium::cardiac {

struct MrImage : CineImage {
  std::vector<std::string> imageType;  // (0008,0008) values, upper case
  std::optional<double> inversionTimeMs, echoTimeMs;
  std::string imageComments, sequenceName, scanningSequence, seriesDescription, manufacturer;
  std::string studyUid, frameOfReferenceUid, patientName, patientId, specificCharacterSet;
  int seriesNumber = 0;
  double nominalIntervalMs = 0;
  std::optional<double> sliceThicknessMm;
  // Phase-contrast: the velocity encoding (cm/s) and where it was found; empty when nowhere.
  std::optional<double> vencCmS;
  std::string vencSource;
  // Pixel value range: stored range and the Modality LUT; a Real World Value Mapping in cm/s.
  int bitsStored = 16;
  bool signedPixels = false;
  double rescaleSlope = 1, rescaleIntercept = 0;
  std::optional<double> rwvmSlope, rwvmIntercept;
  std::string rwvmUnits;
};

// The values of Image Type (0008,0008), upper case.
std::vector<std::string> imageTypeValues(DcmItem& dataset);

// Image Type (0008,0008) of a phase-contrast phase/velocity image (value P, PHASE..., VELOCITY...).
bool isPhaseImageType(const std::vector<std::string>& upperCaseValues);

// Every single-frame MR image under the paths (folders recursively), sorted by series, then
// trigger time, then instance number. Files that are not MR images are skipped and counted.
std::vector<MrImage> readMrImages(const std::vector<std::filesystem::path>& paths, int* skipped = nullptr);

// The VENC of a phase image from its header alone (cm/s): (0018,9197)/(0018,9217) of the standard,
// else Siemens' sequence name (*fl2d1_v150in: 150), GE's (0019,10CC) (mm/s), Philips' (2001,101A).
std::optional<double> vencFromHeader(DcmItem& dataset, std::string* source);

}  // namespace atrium::cardiac
