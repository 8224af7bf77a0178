#include "cardiac/structure_set_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <map>

#include "cardiac/cine_stack.h"
#include "dicom/text.h"

namespace atrium::cardiac {

std::vector<StoredContour> readStructureSet(const std::filesystem::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str()).bad()) throw CardiacError("cannot read " + file.string());
  DcmDataset& ds = *ff.getDataset();
  if (dicom::trim(dicom::getRaw(ds, DCM_SOPClassUID)) != UID_RTStructureSetStorage)
    throw CardiacError(file.filename().string() + " is not an RT Structure Set");
  std::map<std::string, std::string> names;  // ROI number → name
  DcmSequenceOfItems* rois = nullptr;
  if (ds.findAndGetSequence(DCM_StructureSetROISequence, rois).good() && rois)
    for (unsigned long i = 0; i < rois->card(); ++i)
      names[dicom::trim(dicom::getRaw(*rois->getItem(i), DCM_ROINumber))] =
          dicom::trim(dicom::getRaw(*rois->getItem(i), DCM_ROIName));
  std::vector<StoredContour> out;
  DcmSequenceOfItems* roiContours = nullptr;
  if (ds.findAndGetSequence(DCM_ROIContourSequence, roiContours).bad() || !roiContours) return out;
  for (unsigned long i = 0; i < roiContours->card(); ++i) {
    DcmItem* rc = roiContours->getItem(i);
    const std::string name = names[dicom::trim(dicom::getRaw(*rc, DCM_ReferencedROINumber))];
    DcmSequenceOfItems* contours = nullptr;
    if (rc->findAndGetSequence(DCM_ContourSequence, contours).bad() || !contours) continue;
    for (unsigned long j = 0; j < contours->card(); ++j) {
      DcmItem* c = contours->getItem(j);
      if (dicom::trim(dicom::getRaw(*c, DCM_ContourGeometricType)) != "CLOSED_PLANAR") continue;
      StoredContour sc;
      sc.roiName = name;
      DcmItem* image = nullptr;
      if (c->findAndGetSequenceItem(DCM_ContourImageSequence, image, 0).good() && image)
        sc.imageSopUid = dicom::trim(dicom::getRaw(*image, DCM_ReferencedSOPInstanceUID));
      Float64 v[3];
      for (unsigned long k = 0;; k += 3) {
        bool ok = true;
        for (int d = 0; d < 3 && ok; ++d) ok = c->findAndGetFloat64(DCM_ContourData, v[d], k + d).good();
        if (!ok) break;
        sc.points.push_back({v[0], v[1], v[2]});
      }
      if (sc.points.size() >= 3) out.push_back(std::move(sc));
    }
  }
  return out;
}

}  // namespace atrium::cardiac
