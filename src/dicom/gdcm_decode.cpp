#include "dicom/gdcm_decode.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageReader.h>
#include <gdcmImageWriter.h>
#include <gdcmTrace.h>

#include <sstream>

namespace atrium::dicom {

bool isJpeg2000(const std::string& ts) {
  return ts == UID_JPEG2000LosslessOnlyTransferSyntax || ts == UID_JPEG2000TransferSyntax;
}

namespace {

// The file through GDCM's transfer syntax change (decoding or encoding), loaded into `out`.
bool loadChangedWithGdcm(const std::filesystem::path& file, gdcm::TransferSyntax::TSType target, DcmFileFormat& out,
                         std::string& error) {
  // Its reasons go to stderr, not to the caller; the caller says what failed.
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
  gdcm::ImageReader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read()) {
    error = "GDCM cannot read the image";
    return false;
  }
  gdcm::ImageChangeTransferSyntax change;
  change.SetTransferSyntax(target);
  change.SetInput(reader.GetImage());
  if (!change.Change()) {
    error = target == gdcm::TransferSyntax::ExplicitVRLittleEndian ? "GDCM cannot decode the pixel data"
                                                                   : "GDCM cannot encode the pixel data";
    return false;
  }
  gdcm::ImageWriter writer;
  writer.SetImage(change.GetOutput());
  writer.SetFile(reader.GetFile());
  std::ostringstream bytes;
  writer.SetStream(bytes);
  if (!writer.Write()) {
    error = "GDCM cannot write the decoded image";
    return false;
  }
  const std::string data = bytes.str();
  DcmInputBufferStream in;
  in.setBuffer(data.data(), static_cast<offile_off_t>(data.size()));
  in.setEos();
  out.transferInit();
  OFCondition c = out.read(in, EXS_Unknown);
  out.transferEnd();
  if (c.bad()) {
    error = std::string("cannot parse GDCM's output: ") + c.text();
    return false;
  }
  return true;
}

}  // namespace

bool loadDecodedWithGdcm(const std::filesystem::path& file, DcmFileFormat& out, std::string& error) {
  return loadChangedWithGdcm(file, gdcm::TransferSyntax::ExplicitVRLittleEndian, out, error);
}

bool loadJpeg2000LosslessWithGdcm(const std::filesystem::path& file, DcmFileFormat& out, std::string& error) {
  return loadChangedWithGdcm(file, gdcm::TransferSyntax::JPEG2000Lossless, out, error);
}

}  // namespace atrium::dicom
