#include "dicom/instance_reader.h"

#include "dicom/stored_attributes.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmpstat/dcmpstat.h>

#include <vector>

#include "common/log.h"
#include "dicom/indexed_attributes.h"
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

  // Every attribute the index keeps, read as its row of the table says.
  TextDecoder text(ds);
  rec.instance.specificCharacterSet = text.charset();
  for (const auto& a : indexedAttributes()) {
    DcmTagKey key(a.group, a.element);
    std::string& out = a.field(rec);
    switch (a.readAs) {
      case ReadAs::Text:
        out = trim(text.decode(getRaw(ds, key), false));
        break;
      case ReadAs::PersonName:
        out = trimPersonName(trim(text.decode(getRaw(ds, key), true)));
        break;
      case ReadAs::Plain:
        out = trim(getRaw(ds, key));
        break;
      case ReadAs::Uid:
        out = trimUid(getRaw(ds, key));
        break;
      case ReadAs::UnsignedShort: {
        Uint16 us = 0;
        if (ds.findAndGetUint16(key, us).good()) out = std::to_string(us);
        break;
      }
      case ReadAs::Special:
        break;
    }
  }
  rec.storedAttributes = storedAttributesJson(ds, text);
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
