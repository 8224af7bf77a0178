#pragma once
// Rendered frames (WADO-RS /rendered and /thumbnail, WADO-URI image/jpeg|png): DCMTK's
// DicomImage applies the Modality LUT and then the window asked for, else the VOI LUT or window
// of the instance, else the full range; the result is scaled and encoded as JPEG or PNG.
#include <filesystem>
#include <optional>
#include <string>

namespace atrium::web {

struct RenderRequest {
  unsigned frame = 1;  // 1-based
  std::optional<double> windowCenter, windowWidth;
  unsigned viewportWidth = 0, viewportHeight = 0;  // 0: native size; else fit inside, keep aspect
  bool png = false;                                // else JPEG
  int quality = 90;                                // JPEG 1-100
};

struct RenderResult {
  bool ok = false;
  int httpStatus = 500;  // on failure: 404 no such frame, 406 not an image, 500 decoding
  std::string error;
  std::string bytes;  // encoded image
  std::string contentType;
};

RenderResult renderFrame(const std::filesystem::path& file, const std::string& transferSyntax,
                         const RenderRequest& request);

}  // namespace atrium::web
