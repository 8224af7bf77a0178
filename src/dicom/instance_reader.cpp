#include "dicom/instance_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmpstat/dcmpstat.h>

#include <vector>

#include "common/log.h"
#include "dicom/sop_classes.h"
#include "dicom/text.h"
#include "dicom/uid.h"

namespace atrium::dicom {
namespace {

// Values larger than this stay on disk: the index needs none of them.
constexpr Uint32 kMaxReadLength = 4096;

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
  OFCondition c =
      ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength, ERM_autoDetect, DCM_PixelData);
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
