#include "cardiac/mr_images.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "dicom/text.h"

namespace atrium::cardiac {
namespace {

constexpr const char* kMrImage = "1.2.840.10008.5.1.4.1.1.4";

std::string text(DcmItem& item, const DcmTagKey& key) { return dicom::trim(dicom::getRaw(item, key)); }

std::optional<double> number(DcmItem& item, const DcmTagKey& key, unsigned long i = 0) {
  Float64 v = 0;
  if (item.findAndGetFloat64(key, v, i).good()) return v;
  return std::nullopt;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The value of a private element by its creator and element offset (gggg,xxEE), or "".
std::string privateValue(DcmItem& ds, Uint16 group, const char* creator, Uint8 element) {
  for (Uint16 block = 0x10; block <= 0xFF; ++block) {
    if (text(ds, DcmTagKey(group, block)) != creator) continue;
    return text(ds, DcmTagKey(group, static_cast<Uint16>((block << 8) | element)));
  }
  return {};
}

void collect(const std::filesystem::path& p, std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && upper(it->path().filename().string()) != "DICOMDIR") out.push_back(it->path());
  } else {
    out.push_back(p);
  }
}

bool readOne(const std::filesystem::path& file, MrImage& img) {
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData)
          .bad())
    return false;
  DcmDataset& ds = *ff.getDataset();
  if (text(ds, DCM_SOPClassUID) != kMrImage) return false;
  img.file = file;
  img.sopClassUid = kMrImage;
  img.sopInstanceUid = text(ds, DCM_SOPInstanceUID);
  img.seriesUid = text(ds, DCM_SeriesInstanceUID);
  img.transferSyntax = DcmXfer(ff.getDataset()->getOriginalXfer()).getXferID();
  img.studyUid = text(ds, DCM_StudyInstanceUID);
  img.frameOfReferenceUid = text(ds, DCM_FrameOfReferenceUID);
  img.patientName = text(ds, DCM_PatientName);
  img.patientId = text(ds, DCM_PatientID);
  img.specificCharacterSet = text(ds, DCM_SpecificCharacterSet);
  img.triggerTime = number(ds, DCM_TriggerTime).value_or(0);
  img.instanceNumber = static_cast<int>(number(ds, DCM_InstanceNumber).value_or(0));
  img.seriesNumber = static_cast<int>(number(ds, DCM_SeriesNumber).value_or(0));
  img.nominalIntervalMs = number(ds, DCM_NominalInterval).value_or(0);
  img.sliceThicknessMm = number(ds, DCM_SliceThickness);
  Uint16 rows = 0, cols = 0, bits = 16, rep = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, cols);
  ds.findAndGetUint16(DCM_BitsStored, bits);
  ds.findAndGetUint16(DCM_PixelRepresentation, rep);
  img.rows = rows;
  img.columns = cols;
  img.bitsStored = bits;
  img.signedPixels = rep == 1;
  double ipp[3] = {0, 0, 0}, iop[6] = {1, 0, 0, 0, 1, 0}, ps[2] = {1, 1};
  for (int i = 0; i < 3; ++i) ipp[i] = number(ds, DCM_ImagePositionPatient, i).value_or(0);
  for (int i = 0; i < 6; ++i) iop[i] = number(ds, DCM_ImageOrientationPatient, i).value_or(iop[i]);
  for (int i = 0; i < 2; ++i) ps[i] = number(ds, DCM_PixelSpacing, i).value_or(1);
  img.position = {ipp[0], ipp[1], ipp[2]};
  img.rowDir = {iop[0], iop[1], iop[2]};
  img.colDir = {iop[3], iop[4], iop[5]};
  img.rowSpacing = ps[0];
  img.colSpacing = ps[1];
  img.imageType = imageTypeValues(ds);
  img.inversionTimeMs = number(ds, DCM_InversionTime);
  img.echoTimeMs = number(ds, DCM_EchoTime);
  img.imageComments = text(ds, DCM_ImageComments);
  img.sequenceName = text(ds, DCM_SequenceName);
  img.scanningSequence = text(ds, DCM_ScanningSequence);
  img.seriesDescription = text(ds, DCM_SeriesDescription);
  img.manufacturer = text(ds, DCM_Manufacturer);
  img.rescaleSlope = number(ds, DCM_RescaleSlope).value_or(1);
  img.rescaleIntercept = number(ds, DCM_RescaleIntercept).value_or(0);
  DcmItem* rwvm = nullptr;
  if (ds.findAndGetSequenceItem(DCM_RealWorldValueMappingSequence, rwvm, 0).good() && rwvm) {
    img.rwvmSlope = number(*rwvm, DCM_RealWorldValueSlope);
    img.rwvmIntercept = number(*rwvm, DCM_RealWorldValueIntercept);
    DcmItem* units = nullptr;
    if (rwvm->findAndGetSequenceItem(DCM_MeasurementUnitsCodeSequence, units, 0).good() && units)
      img.rwvmUnits = text(*units, DCM_CodeValue);
  }
  img.vencCmS = vencFromHeader(ds, &img.vencSource);
  return img.rows > 0 && img.columns > 0;
}

}  // namespace

std::vector<std::string> imageTypeValues(DcmItem& ds) {
  std::vector<std::string> out;
  OFString v;
  for (unsigned long i = 0; ds.findAndGetOFString(DCM_ImageType, v, i).good(); ++i)
    out.push_back(upper(dicom::trim(v.c_str())));
  return out;
}

bool isPhaseImageType(const std::vector<std::string>& values) {
  for (std::size_t i = 2; i < values.size(); ++i) {
    const std::string& v = values[i];
    if (v == "P" || v.find("PHASE") != std::string::npos || v.find("VELOCITY") != std::string::npos ||
        v == "FLOW_ENCODED")
      return true;
  }
  return false;
}

std::optional<double> vencFromHeader(DcmItem& ds, std::string* source) {
  DcmItem* enc = nullptr;
  if (ds.findAndGetSequenceItem(DCM_MRVelocityEncodingSequence, enc, 0).good() && enc) {
    if (auto v = number(*enc, DCM_VelocityEncodingMaximumValue); v && *v > 0) {
      if (source) *source = "(0018,9217) Velocity Encoding Maximum Value";
      return v;
    }
  }
  const std::string maker = upper(text(ds, DCM_Manufacturer));
  if (maker.find("SIEMENS") != std::string::npos) {
    static const std::regex venc(R"(_v(\d+)(in|rl|ap|fh|through|$))", std::regex::icase);
    std::smatch m;
    const std::string seq = text(ds, DCM_SequenceName);
    if (std::regex_search(seq, m, venc)) {
      if (source) *source = "Siemens sequence name " + seq;
      return std::stod(m[1]);
    }
  }
  if (maker.find("GE") == 0) {
    const std::string v = privateValue(ds, 0x0019, "GEMS_ACQU_01", 0xCC);
    if (!v.empty() && std::stod(v) > 0) {
      if (source) *source = "GE (0019,10CC) Velocity Encoding (mm/s)";
      return std::stod(v) / 10;
    }
  }
  if (maker.find("PHILIPS") != std::string::npos) {
    const std::string v = privateValue(ds, 0x2001, "Philips Imaging DD 001", 0x1A);
    double best = 0;
    for (std::size_t start = 0; start <= v.size();) {  // up to three directions: the encoded one is non-zero
      auto end = v.find('\\', start);
      const std::string part = v.substr(start, end == std::string::npos ? std::string::npos : end - start);
      try {
        best = std::max(best, std::abs(std::stod(part)));
      } catch (...) {}
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (best > 0) {
      if (source) *source = "Philips (2001,101A) PC Velocity";
      return best;
    }
  }
  return std::nullopt;
}

std::vector<MrImage> readMrImages(const std::vector<std::filesystem::path>& paths, int* skipped) {
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) collect(p, files);
  std::vector<MrImage> out;
  int notMr = 0;
  for (const auto& f : files) {
    MrImage img;
    if (readOne(f, img))
      out.push_back(std::move(img));
    else
      ++notMr;
  }
  if (skipped) *skipped = notMr;
  std::sort(out.begin(), out.end(), [](const MrImage& a, const MrImage& b) {
    if (a.seriesNumber != b.seriesNumber) return a.seriesNumber < b.seriesNumber;
    if (a.seriesUid != b.seriesUid) return a.seriesUid < b.seriesUid;
    if (a.triggerTime != b.triggerTime) return a.triggerTime < b.triggerTime;
    return a.instanceNumber < b.instanceNumber;
  });
  return out;
}

}  // namespace atrium::cardiac
