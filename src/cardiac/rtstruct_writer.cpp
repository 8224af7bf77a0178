#include "cardiac/rtstruct_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "cardiac/contours.h"
#include "cardiac/derived_object.h"
#include "cardiac/shapes.h"
#include "dicom/uid.h"

namespace atrium::cardiac {
namespace {

std::string ds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

struct RoiSpec {
  int number;
  const char* name;
  const char* type;
  const char* color;
  Label label;
};
const RoiSpec kRois[] = {{1, "LV blood pool", "CAVITY", "255\\0\\0", kLvBlood},
                         {2, "LV myocardium", "ORGAN", "0\\255\\0", kLvMyocardium},
                         {3, "RV blood pool", "CAVITY", "0\\0\\255", kRvBlood}};

}  // namespace

std::string writeStructureSet(const CineImage& source, const StructureSetInfo& info,
                              const std::vector<StructureRoi>& rois, const std::filesystem::path& file) {
  DcmFileFormat ff;
  DcmDataset& out = *ff.getDataset();
  copyPatientAndStudy(source, out);
  std::string sop = dicom::newUid();
  char date[9], time[7];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y%m%d", std::localtime(&now));
  std::strftime(time, sizeof time, "%H%M%S", std::localtime(&now));
  out.putAndInsertString(DCM_SOPClassUID, UID_RTStructureSetStorage);
  out.putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
  out.putAndInsertString(DCM_Modality, "RTSTRUCT");
  out.putAndInsertString(DCM_SeriesInstanceUID, dicom::newUid().c_str());
  out.putAndInsertString(DCM_SeriesNumber, info.seriesNumber.c_str());
  out.putAndInsertString(DCM_SeriesDescription, info.seriesDescription.c_str());
  out.insertEmptyElement(DCM_OperatorsName);
  out.putAndInsertString(DCM_Manufacturer, "Atrium");
  out.putAndInsertString(DCM_InstanceNumber, "1");
  out.putAndInsertString(DCM_FrameOfReferenceUID, info.frameOfReferenceUid.c_str());
  out.insertEmptyElement(DCM_PositionReferenceIndicator);
  out.putAndInsertString(DCM_StructureSetLabel, info.label.c_str());
  out.putAndInsertString(DCM_StructureSetDate, date);
  out.putAndInsertString(DCM_StructureSetTime, time);
  out.putAndInsertString(DCM_InstanceCreationDate, date);
  out.putAndInsertString(DCM_InstanceCreationTime, time);

  // Referenced Frame of Reference → study → series → every contoured image (once each).
  std::vector<std::string> series;
  std::vector<const CineImage*> images;
  for (const auto& roi : rois)
    for (const auto& c : roi.contours) {
      if (std::find(series.begin(), series.end(), c.image->seriesUid) == series.end())
        series.push_back(c.image->seriesUid);
      if (std::find(images.begin(), images.end(), c.image) == images.end()) images.push_back(c.image);
    }
  DcmItem* forItem = nullptr;
  out.findOrCreateSequenceItem(DCM_ReferencedFrameOfReferenceSequence, forItem, 0);
  forItem->putAndInsertString(DCM_FrameOfReferenceUID, info.frameOfReferenceUid.c_str());
  DcmItem* studyItem = nullptr;
  forItem->findOrCreateSequenceItem(DCM_RTReferencedStudySequence, studyItem, 0);
  studyItem->putAndInsertString(DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1");  // Detached Study Mgmt
  studyItem->putAndInsertString(DCM_ReferencedSOPInstanceUID, info.studyUid.c_str());
  for (const auto& uid : series) {
    DcmItem* seriesItem = nullptr;
    studyItem->findOrCreateSequenceItem(DCM_RTReferencedSeriesSequence, seriesItem, -2);
    seriesItem->putAndInsertString(DCM_SeriesInstanceUID, uid.c_str());
    for (const auto* img : images) {
      if (img->seriesUid != uid) continue;
      DcmItem* ref = nullptr;
      seriesItem->findOrCreateSequenceItem(DCM_ContourImageSequence, ref, -2);
      ref->putAndInsertString(DCM_ReferencedSOPClassUID, img->sopClassUid.c_str());
      ref->putAndInsertString(DCM_ReferencedSOPInstanceUID, img->sopInstanceUid.c_str());
    }
  }

  int number = 0;
  for (const auto& roi : rois) {
    ++number;
    DcmItem* r = nullptr;
    out.findOrCreateSequenceItem(DCM_StructureSetROISequence, r, -2);
    r->putAndInsertString(DCM_ROINumber, std::to_string(number).c_str());
    r->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, info.frameOfReferenceUid.c_str());
    r->putAndInsertString(DCM_ROIName, roi.name.c_str());
    r->putAndInsertString(DCM_ROIGenerationAlgorithm, "AUTOMATIC");

    DcmItem* rc = nullptr;
    out.findOrCreateSequenceItem(DCM_ROIContourSequence, rc, -2);
    rc->putAndInsertString(DCM_ROIDisplayColor, roi.colour.c_str());
    rc->putAndInsertString(DCM_ReferencedROINumber, std::to_string(number).c_str());
    int contourNumber = 0;
    for (const auto& contour : roi.contours) {
      DcmItem* c = nullptr;
      rc->findOrCreateSequenceItem(DCM_ContourSequence, c, -2);
      DcmItem* ref = nullptr;
      c->findOrCreateSequenceItem(DCM_ContourImageSequence, ref, 0);
      ref->putAndInsertString(DCM_ReferencedSOPClassUID, contour.image->sopClassUid.c_str());
      ref->putAndInsertString(DCM_ReferencedSOPInstanceUID, contour.image->sopInstanceUid.c_str());
      c->putAndInsertString(DCM_ContourNumber, std::to_string(++contourNumber).c_str());
      c->putAndInsertString(DCM_ContourGeometricType, "CLOSED_PLANAR");
      c->putAndInsertString(DCM_NumberOfContourPoints, std::to_string(contour.points.size()).c_str());
      std::string data;
      for (const auto& pt : contour.points) {
        Vec3 v = toPatient(*contour.image, pt);
        for (double x : v) data += (data.empty() ? "" : "\\") + ds(x);
      }
      c->putAndInsertString(DCM_ContourData, data.c_str());
    }

    DcmItem* obs = nullptr;
    out.findOrCreateSequenceItem(DCM_RTROIObservationsSequence, obs, -2);
    obs->putAndInsertString(DCM_ObservationNumber, std::to_string(number).c_str());
    obs->putAndInsertString(DCM_ReferencedROINumber, std::to_string(number).c_str());
    obs->putAndInsertString(DCM_RTROIInterpretedType, roi.interpretedType.c_str());
    obs->insertEmptyElement(DCM_ROIInterpreter);
  }
  OFCondition c = ff.saveFile(file.c_str(), EXS_LittleEndianImplicit);
  if (c.bad()) throw CardiacError("cannot write " + file.string() + ": " + c.text());
  return sop;
}

std::string writeRtStruct(const CineStack& stack, const Segmentation& seg, const std::filesystem::path& file) {
  checkSegmentationShape(stack, seg);
  std::vector<StructureRoi> rois;
  for (const auto& spec : kRois) {
    StructureRoi roi{spec.name, spec.type, spec.color, {}};
    for (std::size_t s = 0; s < seg.size(); ++s)
      for (std::size_t p = 0; p < stack.slices[s].phases.size(); ++p) {
        const CineImage& img = stack.slices[s].phases[p];
        const Mask& labels = seg[s][p];
        Mask m(labels.width, labels.height, 0);
        for (std::size_t i = 0; i < m.data.size(); ++i)
          m.data[i] = spec.label == kLvMyocardium ? (labels.data[i] == kLvMyocardium || labels.data[i] == kLvBlood)
                                                  : labels.data[i] == spec.label;
        auto outlines = traceOutlines(m);
        if (spec.label == kLvMyocardium) {  // the epicardium, and the endocardium inside it
          for (auto& o : traceOutlines(maskOf(labels, kLvBlood))) outlines.push_back(std::move(o));
        }
        for (auto& o : outlines) roi.contours.push_back({&img, std::move(o)});
      }
    rois.push_back(std::move(roi));
  }
  StructureSetInfo info{stack.studyUid, stack.frameOfReferenceUid, "CARDIAC", "Atrium cardiac contours", "901"};
  return writeStructureSet(stack.slices[0].phases[0], info, rois, file);
}

}  // namespace atrium::cardiac
