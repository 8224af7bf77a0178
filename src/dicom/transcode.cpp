#include "dicom/transcode.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "dicom/gdcm_decode.h"

namespace atrium::dicom {

bool loadInTransferSyntax(const std::filesystem::path& file, const std::string& storedTs, const std::string& targetTs,
                          DcmFileFormat& ff, std::string& error) {
  std::string gdcmError;
  if (targetTs == UID_JPEG2000LosslessOnlyTransferSyntax && !isJpeg2000(storedTs)) {
    // DCMTK has no JPEG 2000 encoder: GDCM (OpenJPEG) encodes, DCMTK carries the result.
    if (!loadJpeg2000LosslessWithGdcm(file, ff, gdcmError)) {
      error = "cannot encode JPEG 2000: " + gdcmError;
      return false;
    }
    return true;
  }
  if (isJpeg2000(storedTs) && !isJpeg2000(targetTs)) {
    if (!loadDecodedWithGdcm(file, ff, gdcmError)) {
      error = "cannot decode JPEG 2000: " + gdcmError;
      return false;
    }
  } else if (OFCondition c = ff.loadFile(file.c_str()); c.bad()) {
    error = std::string("cannot read file: ") + c.text();
    return false;
  }
  E_TransferSyntax target = DcmXfer(targetTs.c_str()).getXfer();
  DcmDataset* ds = ff.getDataset();
  if (target == EXS_Unknown || ds->chooseRepresentation(target, nullptr).bad() || !ds->canWriteXfer(target)) {
    error = "cannot convert from " + storedTs + " to " + targetTs;
    return false;
  }
  return true;
}

bool addPart10Header(const std::filesystem::path& in, const std::filesystem::path& out, std::string& error) {
  DcmFileFormat ff;
  if (OFCondition c = ff.loadFile(in.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_dataset); c.bad()) {
    error = std::string("not a DICOM data set: ") + c.text();
    return false;
  }
  DcmDataset* ds = ff.getDataset();
  OFString cls, sop;
  if (ds->findAndGetOFString(DCM_SOPClassUID, cls).bad() || cls.empty() ||
      ds->findAndGetOFString(DCM_SOPInstanceUID, sop).bad() || sop.empty()) {
    error = "no SOP Class or SOP Instance UID in the data set";
    return false;
  }
  const E_TransferSyntax xfer = ds->getOriginalXfer();
  if (OFCondition c = ff.saveFile(out.c_str(), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                                  EWM_createNewMeta);
      c.bad()) {
    error = std::string("cannot write ") + out.string() + ": " + c.text();
    return false;
  }
  return true;
}

bool writePart10(DcmFileFormat& ff, const std::string& ts, std::string& bytes, std::string& error) {
  E_TransferSyntax xfer = DcmXfer(ts.c_str()).getXfer();
  // validateMetaInfo updates the meta header (transfer syntax) for the new representation.
  if (ff.validateMetaInfo(xfer).bad()) {
    error = "cannot build the meta header";
    return false;
  }
  Uint32 length = ff.calcElementLength(xfer, EET_ExplicitLength) + 1024;  // + preamble and slack
  bytes.assign(length, '\0');
  DcmOutputBufferStream out(bytes.data(), length);
  ff.transferInit();
  OFCondition c = ff.write(out, xfer, EET_ExplicitLength, nullptr);
  ff.transferEnd();
  if (c.bad()) {
    error = std::string("cannot encode: ") + c.text();
    return false;
  }
  void* buf = nullptr;
  offile_off_t written = 0;
  out.flushBuffer(buf, written);
  bytes.resize(static_cast<std::size_t>(written));
  return true;
}

}  // namespace atrium::dicom
