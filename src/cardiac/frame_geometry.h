#pragma once
// What every frame of a derived multi-frame object (the SEG of the contours, a Parametric Map)
// shares with its source images: the pixel spacing, the slice thickness when known, the plane
// orientation — as shared functional groups.
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>

#include <memory>
#include <optional>
#include <string>

namespace atrium::cardiac {

// A Decimal String value: up to six significant digits.
std::string decimalString(double v);

// Adds the groups to doc through its addForAllFrames (DcmSegmentation, DPMParametricMapIOD);
// source: an image with rowSpacing, colSpacing, rowDir, colDir. Every DCMTK condition goes through
// check(condition, what), which throws the caller's error when it is bad.
template <class Document, class SourceImage, class Check>
void addSharedFrameGeometry(Document& doc, const SourceImage& source, std::optional<double> sliceThicknessMm,
                            Check check) {
  FGPixelMeasures pixel;
  check(pixel.setPixelSpacing((decimalString(source.rowSpacing) + "\\" + decimalString(source.colSpacing)).c_str()),
        "pixel spacing");
  if (sliceThicknessMm) check(pixel.setSliceThickness(decimalString(*sliceThicknessMm).c_str()), "slice thickness");
  check(doc.addForAllFrames(pixel), "pixel measures");
  std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
      decimalString(source.rowDir[0]).c_str(), decimalString(source.rowDir[1]).c_str(),
      decimalString(source.rowDir[2]).c_str(), decimalString(source.colDir[0]).c_str(),
      decimalString(source.colDir[1]).c_str(), decimalString(source.colDir[2]).c_str()));
  check(doc.addForAllFrames(*orientation), "plane orientation");
}

}  // namespace atrium::cardiac
