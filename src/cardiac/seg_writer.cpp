#include "cardiac/seg_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmiod/iodreferences.h>

#include <cstdio>
#include <memory>

namespace atrium::cardiac {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw CardiacError(std::string("SEG: ") + what + ": " + c.text());
}

// Segment codes (category Anatomical Structure; types from SNOMED CT, CID 7152 and CID 7166).
struct SegmentSpec {
  Label label;
  const char* name;
  const char* code;
  const char* meaning;
};
const SegmentSpec kSegments[] = {{kLvBlood, "LV blood pool", "87878005", "Left ventricle"},
                                 {kLvMyocardium, "LV myocardium", "74281007", "Myocardium"},
                                 {kRvBlood, "RV blood pool", "53085002", "Right ventricle"}};

}  // namespace

WrittenSeg writeSeg(const CineStack& stack, const Segmentation& seg, const std::filesystem::path& file) {
  const CineImage& first = stack.slices[0].phases[0];
  DcmSegmentation* raw = nullptr;
  IODGeneralEquipmentModule::EquipmentInfo equipment("Atrium", "atrium", "1", "0.1.0");
  ContentIdentificationMacro content("1", "CARDIAC", "LV, myocardium and RV on short-axis cine", "Atrium");
  ok(DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(first.rows),
                                               static_cast<Uint16>(first.columns), equipment, content),
     "create");
  std::unique_ptr<DcmSegmentation> doc(raw);
  ok(doc->importFromSourceImage(first.file.c_str(), OFTrue), "import patient/study/frame of reference");
  doc->getSeries().setSeriesNumber("902");
  doc->getSeries().setSeriesDescription("Atrium cardiac segmentation");

  FGPixelMeasures pixel;
  ok(pixel.setPixelSpacing((num(first.rowSpacing) + "\\" + num(first.colSpacing)).c_str()), "pixel spacing");
  double gap = stack.slices.size() > 1 ? std::abs(stack.slices[1].position - stack.slices[0].position) : 1;
  ok(pixel.setSliceThickness(num(gap).c_str()), "slice thickness");
  ok(doc->addForAllFrames(pixel), "pixel measures");
  std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
      num(first.rowDir[0]).c_str(), num(first.rowDir[1]).c_str(), num(first.rowDir[2]).c_str(),
      num(first.colDir[0]).c_str(), num(first.colDir[1]).c_str(), num(first.colDir[2]).c_str()));
  ok(doc->addForAllFrames(*orientation), "plane orientation");

  for (const auto& spec : kSegments) {
    DcmSegment* segment = nullptr;
    ok(DcmSegment::create(segment, spec.name, CodeSequenceMacro("123037004", "SCT", "Anatomical Structure"),
                          CodeSequenceMacro(spec.code, "SCT", spec.meaning), DcmSegTypes::SAT_AUTOMATIC,
                          "Atrium classic-intensity-v1"),
       "segment");
    Uint16 number = 0;
    ok(doc->addSegment(segment, number), "add segment");
    for (std::size_t s = 0; s < seg.size(); ++s)
      for (std::size_t p = 0; p < stack.slices[s].phases.size(); ++p) {
        const CineImage& img = stack.slices[s].phases[p];
        const Mask& labels = seg[s][p];
        std::vector<Uint8> bits(labels.data.size());
        bool any = false;
        for (std::size_t i = 0; i < bits.size(); ++i) {
          bits[i] = labels.data[i] == spec.label;
          any = any || bits[i];
        }
        if (!any) continue;
        FGPlanePosPatient* position = FGPlanePosPatient::createMinimal(
            num(img.position[0]).c_str(), num(img.position[1]).c_str(), num(img.position[2]).c_str());
        ImageSOPInstanceReferenceMacro* ref = nullptr;
        ok(ImageSOPInstanceReferenceMacro::create(img.sopClassUid.c_str(), img.sopInstanceUid.c_str(), ref),
           "source reference");
        OFVector<ImageSOPInstanceReferenceMacro> refs;
        refs.push_back(*ref);
        delete ref;
        FGDerivationImage* derivation = FGDerivationImage::createMinimal(
            refs, "Segmentation", CodeSequenceMacro("113076", "DCM", "Segmentation"),
            CodeSequenceMacro("121322", "DCM", "Source image for image processing operation"));
        FGFrameContent* frameContent = new FGFrameContent();
        frameContent->setDimensionIndexValues(number, 0);
        frameContent->setDimensionIndexValues(static_cast<Uint32>(s + 1), 1);
        frameContent->setDimensionIndexValues(static_cast<Uint32>(p + 1), 2);
        frameContent->setTemporalPositionIndex(static_cast<Uint32>(p + 1));
        OFVector<FGBase*> groups;
        groups.push_back(position);
        groups.push_back(derivation);
        groups.push_back(frameContent);
        OFCondition c = doc->addFrame(bits.data(), number, groups);
        for (auto* g : groups) delete g;
        ok(c, "add frame");
      }
  }
  // Every source image, in the Common Instance Reference module.
  IODReferences references;
  for (const auto& sl : stack.slices)
    for (const auto& img : sl.phases)
      references.add(new IODImageReference(stack.patientId.c_str(), stack.studyUid.c_str(), img.seriesUid.c_str(),
                                           img.sopInstanceUid.c_str(), img.sopClassUid.c_str()));
  doc->getCommonInstanceReference().addReferences(references, stack.studyUid.c_str());
  // Dimensions: segment, slice (position), phase.
  IODMultiframeDimensionModule& dims = doc->getDimensions();
  char organization[100];
  dcmGenerateUniqueIdentifier(organization, SITE_INSTANCE_UID_ROOT);
  ok(dims.addDimensionIndex(DCM_ReferencedSegmentNumber, organization, DCM_SegmentIdentificationSequence,
                            "Segment"),
     "dimension segment");
  ok(dims.addDimensionIndex(DCM_ImagePositionPatient, organization, DCM_PlanePositionSequence, "Slice"),
     "dimension position");
  ok(dims.addDimensionIndex(DCM_TemporalPositionIndex, organization, DCM_FrameContentSequence, "Phase"),
     "dimension phase");
  ok(doc->saveFile(file.c_str(), EXS_LittleEndianExplicit), "save");
  OFString sop, series;
  doc->getSOPCommon().getSOPInstanceUID(sop);
  doc->getSeries().getSeriesInstanceUID(series);
  return {series.c_str(), sop.c_str()};
}

}  // namespace atrium::cardiac
