#include "web/rendering.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
// dipipng.h needs what diregist.h brings in first: keep this order.
// clang-format off
#include <dcmtk/dcmimage/diregist.h>  // color images
#include <dcmtk/dcmimage/dipipng.h>
// clang-format on
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/dipijpeg.h>

#include <cstdio>
#include <memory>

#include "dicom/gdcm_decode.h"
#include "dicom/transcode.h"
#include "dicom/transfer_syntax.h"

namespace atrium::web {
namespace {

// A plugin's output to memory (DCMTK writes images to a FILE*).
bool encode(DicomImage& img, const DiPluginFormat& plugin, std::string& out) {
  char* buf = nullptr;
  std::size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (!f) return false;
  int ok = img.writePluginFormat(&plugin, f, 0);
  std::fclose(f);
  if (ok) out.assign(buf, len);
  std::free(buf);
  return ok != 0;
}

}  // namespace

RenderResult renderFrame(const std::filesystem::path& file, const std::string& ts, const RenderRequest& rq) {
  RenderResult r;
  if (dicom::isVideoTransferSyntax(ts)) {
    r.httpStatus = 406;
    r.error = "the instance is a video (" + ts + "): no video decoder here, so no rendered frame; retrieve it as stored";
    return r;
  }
  DcmFileFormat ff;
  std::string error;
  // DicomImage decodes JPEG, JPEG-LS and RLE through the registered codecs; JPEG 2000 is decoded
  // by GDCM first.
  std::string loadAs = dicom::isJpeg2000(ts) ? "1.2.840.10008.1.2.1" : ts;
  if (!dicom::loadInTransferSyntax(file, ts, loadAs, ff, error)) {
    r.error = error;
    return r;
  }
  DcmDataset* ds = ff.getDataset();
  if (!ds->tagExists(DCM_PixelData)) {
    r.httpStatus = 406;
    r.error = "the instance has no pixel data";
    return r;
  }
  long frames = 1;
  ds->findAndGetLongInt(DCM_NumberOfFrames, frames);
  if (rq.frame < 1 || static_cast<long>(rq.frame) > std::max(frames, 1L)) {
    r.httpStatus = 404;
    r.error =
        "no frame " + std::to_string(rq.frame) + " (the instance has " + std::to_string(std::max(frames, 1L)) + ")";
    return r;
  }
  DicomImage img(ds, ds->getOriginalXfer(), CIF_UsePartialAccessToPixelData, rq.frame - 1, 1);
  if (img.getStatus() != EIS_Normal) {
    r.error = std::string("cannot render: ") + DicomImage::getString(img.getStatus());
    return r;
  }
  if (img.isMonochrome()) {
    if (rq.windowCenter && rq.windowWidth)
      img.setWindow(*rq.windowCenter, *rq.windowWidth);
    else if (img.getVoiLutCount() > 0)
      img.setVoiLut(0);
    else if (img.getWindowCount() > 0)
      img.setWindow(0);
    else
      img.setMinMaxWindow();
  }
  std::unique_ptr<DicomImage> scaled;
  DicomImage* out = &img;
  if (rq.viewportWidth || rq.viewportHeight) {
    double sx = rq.viewportWidth ? double(rq.viewportWidth) / img.getWidth() : 1e9;
    double sy = rq.viewportHeight ? double(rq.viewportHeight) / img.getHeight() : 1e9;
    double s = std::min(sx, sy);
    auto w = static_cast<unsigned long>(std::max(1.0, img.getWidth() * s + 0.5));
    auto h = static_cast<unsigned long>(std::max(1.0, img.getHeight() * s + 0.5));
    scaled.reset(img.createScaledImage(w, h, 1 /* interpolate */, 0));
    if (!scaled) {
      r.error = "cannot scale the image";
      return r;
    }
    out = scaled.get();
  }
  bool ok;
  if (rq.png) {
    DiPNGPlugin png;
    png.setInterlaceType(E_pngInterlaceNone);
    ok = encode(*out, png, r.bytes);
    r.contentType = "image/png";
  } else {
    DiJPEGPlugin jpeg;
    jpeg.setQuality(static_cast<unsigned>(std::clamp(rq.quality, 1, 100)));
    ok = encode(*out, jpeg, r.bytes);
    r.contentType = "image/jpeg";
  }
  if (!ok) {
    r.error = "cannot encode the image";
    return r;
  }
  r.ok = true;
  r.httpStatus = 200;
  return r;
}

}  // namespace atrium::web
