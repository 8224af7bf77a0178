#pragma once
// A short-axis cine stack read from files: which images belong to it, their order in space (along
// the slice normal, from Image Position/Orientation) and in time (Trigger Time), whether the vendor
// wrote one series per slice or one for all, multi-frame or not.
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cardiac/geometry.h"

class DcmFileFormat;

namespace atrium::cardiac {

struct CardiacError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CineImage {
  std::filesystem::path file;
  unsigned frame = 0;  // 0-based frame of a multi-frame file
  std::string sopClassUid, sopInstanceUid, seriesUid, transferSyntax;
  double triggerTime = 0;
  int instanceNumber = 0;
  Vec3 position{}, rowDir{}, colDir{};    // Image Position (Patient), Image Orientation (Patient)
  double rowSpacing = 1, colSpacing = 1;  // mm between rows, between columns
  int rows = 0, columns = 0;
};

struct CineSlice {
  double position = 0;            // along the normal (mm)
  std::vector<CineImage> phases;  // in time order
};

struct CineStack {
  std::vector<CineSlice> slices;  // base to apex or apex to base: in the normal's order
  Vec3 normal{};
  int phases = 0;  // per slice (the most common count)
  std::string studyUid, frameOfReferenceUid, patientName, patientId, specificCharacterSet;
  double heightM = 0, weightKg = 0;   // 0 when absent
  double nominalIntervalMs = 0;       // Nominal Interval (0018,1062): the R-R interval; 0 when absent
  std::vector<std::string> warnings;  // what was found odd and how it was handled
  std::vector<std::string> seriesUids;
};

// Reads every DICOM file under the paths (folders recursively; DICOMDIR files are skipped, the
// images they list are in the folder). Throws CardiacError saying what is missing.
CineStack loadCineStack(const std::vector<std::filesystem::path>& paths);

// Pixel values of images with the Modality LUT (rescale) applied, row by row. A file is read (and
// decoded) once however many frames of it are asked for: Enhanced MR keeps a whole cine in one.
class PixelReader {
 public:
  PixelReader();
  ~PixelReader();
  std::vector<float> read(const CineImage& image);

 private:
  std::map<std::filesystem::path, std::unique_ptr<DcmFileFormat>> files_;
};

}  // namespace atrium::cardiac
