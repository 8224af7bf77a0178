#include "cardiac/derived_object.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

namespace atrium::cardiac {

void copyPatientAndStudy(const CineImage& source, DcmDataset& out) {
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(source.file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                          DCM_PixelData)
          .bad())
    throw CardiacError("cannot read " + source.file.string());
  DcmDataset& src = *ff.getDataset();
  for (const DcmTagKey& k : {DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate,
                             DCM_PatientSex, DCM_StudyInstanceUID, DCM_StudyDate, DCM_StudyTime,
                             DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber}) {
    DcmElement* e = nullptr;
    if (src.findAndGetElement(k, e).good() && e && (e->getVR() != EVR_DA || e->checkValue("1").good()))
      out.insert(static_cast<DcmElement*>(e->clone()), true);
    else if (k != DCM_SpecificCharacterSet)
      out.insertEmptyElement(k);
  }
  const char* charset = nullptr;
  if (out.findAndGetString(DCM_SpecificCharacterSet, charset).bad() || !charset || !*charset)
    out.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 100");
}

void addSourceImage(DcmItem& derivation, const std::string& sopClassUid, const std::string& sopInstanceUid) {
  DcmItem* item = nullptr;
  derivation.findOrCreateSequenceItem(DCM_SourceImageSequence, item, -2);
  item->putAndInsertString(DCM_ReferencedSOPClassUID, sopClassUid.c_str());
  item->putAndInsertString(DCM_ReferencedSOPInstanceUID, sopInstanceUid.c_str());
  DcmItem* purpose = nullptr;
  item->findOrCreateSequenceItem(DCM_PurposeOfReferenceCodeSequence, purpose, 0);
  purpose->putAndInsertString(DCM_CodeValue, "121322");
  purpose->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
  purpose->putAndInsertString(DCM_CodeMeaning, "Source image for image processing operation");
}

}  // namespace atrium::cardiac
