#include "dicom/instance_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcspchrs.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmpstat/dcmpstat.h>

#include "common/log.h"
#include "dicom/charset_japanese.h"
#include "dicom/sop_classes.h"
#include "dicom/uid.h"

#include <vector>

namespace atrium::dicom {
namespace {

// Values larger than this stay on disk: the index needs none of them.
constexpr Uint32 kMaxReadLength = 4096;

std::string getRaw(DcmItem& item, const DcmTagKey& key) {
  const char* v = nullptr;
  if (item.findAndGetString(key, v).good() && v) return v;
  return {};
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

class TextDecoder {
 public:
  explicit TextDecoder(DcmItem& dataset) {
    OFString charset;
    dataset.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
    charset_ = charset.c_str();
    if (charset_.empty() || charset_ == "ISO_IR 192") return;  // ASCII or already UTF-8
    for (unsigned long i = 0; dataset.findAndGetOFString(DCM_SpecificCharacterSet, charset, i).good(); ++i)
      values_.push_back(trim(charset.c_str()));
    if (isJapaneseIso2022(values_)) {
      mode_ = Mode::Japanese;  // DCMTK's glibc backend refuses these; see charset_japanese.h
      return;
    }
    OFCondition c = converter_.selectCharacterSet(charset_.c_str(), "ISO_IR 192");
    if (c.good()) {
      mode_ = Mode::Dcmtk;
    } else {
      log::warn("cannot decode Specific Character Set '", charset_, "': ", c.text(), "; keeping raw bytes");
    }
  }

  // Delimiters reset ISO 2022 code extensions (PS3.5 6.1.2.5.3): '^' and '=' for PN.
  std::string decode(const std::string& raw, bool personName) {
    if (raw.empty()) return raw;
    if (mode_ == Mode::Japanese) return decodeJapaneseIso2022(raw, values_, personName);
    if (mode_ != Mode::Dcmtk) return raw;
    OFString out;
    if (converter_.convertString(raw.c_str(), raw.size(), out, personName ? "\\^=" : "\\").good())
      return std::string(out.c_str(), out.length());
    return raw;
  }

  const std::string& charset() const { return charset_; }

 private:
  enum class Mode { Raw, Dcmtk, Japanese };
  DcmSpecificCharacterSet converter_;
  std::string charset_;
  std::vector<std::string> values_;
  Mode mode_ = Mode::Raw;
};

// Trailing empty components and groups carry no meaning (PS3.5 6.2.1): "A^B^^=" is "A^B".
std::string trimPersonName(std::string pn) {
  while (!pn.empty() && (pn.back() == '^' || pn.back() == '=' || pn.back() == ' ')) pn.pop_back();
  return pn;
}

}  // namespace

ReadResult readInstanceFile(const std::filesystem::path& file) {
  ReadResult r;
  DcmFileFormat ff;
  OFCondition c = ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength, ERM_autoDetect);
  if (c.bad()) {
    r.problem = ReadProblem::NotDicom;
    r.message = std::string("unparsable data set: ") + c.text();
    return r;
  }
  DcmDataset& ds = *ff.getDataset();
  auto& rec = r.record;
  rec.transferSyntaxUid = DcmXfer(ds.getOriginalXfer()).getXferID();

  rec.instance.sopInstanceUid = trimUid(getRaw(ds, DCM_SOPInstanceUID));
  rec.instance.sopClassUid = trimUid(getRaw(ds, DCM_SOPClassUID));
  if (rec.instance.sopInstanceUid.empty()) {
    r.problem = ReadProblem::NoSopInstanceUid;
    r.message = "data set has no SOP Instance UID";
    return r;
  }
  if (rec.instance.sopClassUid.empty()) {
    r.problem = ReadProblem::NoSopClassUid;
    r.message = "data set has no SOP Class UID";
    return r;
  }

  if (isGrayscalePresentationState(rec.instance.sopClassUid)) {
    DcmPresentationState ps;
    OFCondition pc = ps.read(ds);
    if (pc.bad()) {
      r.problem = ReadProblem::InvalidPresentationState;
      r.message = std::string("Grayscale Softcopy Presentation State fails its checks: ") + pc.text();
      return r;
    }
  }

  TextDecoder text(ds);
  auto str = [&](const DcmTagKey& k) { return trim(text.decode(getRaw(ds, k), false)); };
  auto pn = [&](const DcmTagKey& k) { return trimPersonName(trim(text.decode(getRaw(ds, k), true))); };
  auto plain = [&](const DcmTagKey& k) { return trim(getRaw(ds, k)); };

  rec.instance.specificCharacterSet = text.charset();
  rec.instance.instanceNumber = plain(DCM_InstanceNumber);
  rec.instance.numberOfFrames = plain(DCM_NumberOfFrames);
  Uint16 us = 0;
  if (ds.findAndGetUint16(DCM_Rows, us).good()) rec.instance.rows = std::to_string(us);
  if (ds.findAndGetUint16(DCM_Columns, us).good()) rec.instance.columns = std::to_string(us);

  rec.patient.patientId = str(DCM_PatientID);
  rec.patient.issuerOfPatientId = str(DCM_IssuerOfPatientID);
  rec.patient.patientName = pn(DCM_PatientName);
  rec.patient.birthDate = plain(DCM_PatientBirthDate);
  rec.patient.sex = plain(DCM_PatientSex);

  rec.study.studyInstanceUid = trimUid(getRaw(ds, DCM_StudyInstanceUID));
  rec.study.studyDate = plain(DCM_StudyDate);
  rec.study.studyTime = plain(DCM_StudyTime);
  rec.study.accessionNumber = str(DCM_AccessionNumber);
  rec.study.studyId = str(DCM_StudyID);
  rec.study.studyDescription = str(DCM_StudyDescription);
  rec.study.referringPhysicianName = pn(DCM_ReferringPhysicianName);

  rec.series.seriesInstanceUid = trimUid(getRaw(ds, DCM_SeriesInstanceUID));
  rec.series.modality = plain(DCM_Modality);
  rec.series.seriesNumber = plain(DCM_SeriesNumber);
  rec.series.seriesDescription = str(DCM_SeriesDescription);
  rec.series.bodyPartExamined = str(DCM_BodyPartExamined);
  rec.series.seriesDate = plain(DCM_SeriesDate);
  rec.series.seriesTime = plain(DCM_SeriesTime);
  rec.series.protocolName = str(DCM_ProtocolName);
  rec.series.frameOfReferenceUid = trimUid(getRaw(ds, DCM_FrameOfReferenceUID));
  return r;
}

FileMeta readFileMeta(const std::filesystem::path& file) {
  FileMeta m;
  DcmFileFormat ff;
  // Stop at the Pixel Data: a sender only needs the UIDs and the transfer syntax.
  OFCondition c = ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength,
                                      ERM_autoDetect, DCM_PixelData);
  if (c.bad()) {
    m.message = std::string("not a DICOM file: ") + c.text();
    return m;
  }
  DcmDataset& ds = *ff.getDataset();
  m.sopClassUid = trimUid(getRaw(ds, DCM_SOPClassUID));
  m.sopInstanceUid = trimUid(getRaw(ds, DCM_SOPInstanceUID));
  m.transferSyntaxUid = DcmXfer(ds.getOriginalXfer()).getXferID();
  if (m.sopClassUid.empty() || m.sopInstanceUid.empty()) {
    m.message = "no SOP Class or SOP Instance UID in the data set";
    return m;
  }
  m.ok = true;
  return m;
}

}  // namespace atrium::dicom
