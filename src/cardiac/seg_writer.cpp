#include "cardiac/seg_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrtm.h>
#include <dcmtk/dcmdata/dcvrui.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <cstdio>
#include <memory>

#include "cardiac/derived_object.h"
#include "cardiac/frame_geometry.h"
#include "dicom/uid.h"

namespace atrium::cardiac {
namespace {

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
  checkSegmentationShape(stack, seg);
  const CineImage& first = stack.slices[0].phases[0];
  DcmSegmentation* raw = nullptr;
  IODGeneralEquipmentModule::EquipmentInfo equipment("Atrium", "atrium", "1", "0.1.0");
  ContentIdentificationMacro content("1", "CARDIAC", "LV, myocardium and RV on short-axis cine", "Atrium");
  ok(DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(first.rows), static_cast<Uint16>(first.columns),
                                               equipment, content),
     "create");
  std::unique_ptr<DcmSegmentation> doc(raw);
  ok(doc->importFromSourceImage(first.file.c_str(), OFTrue), "import patient/study/frame of reference");
  // DCMTK's IOD classes refuse to write UIDs that break the UI rules, but real archives hold such
  // UIDs (leading zeros) and the SEG must carry them unchanged to stay linked to its study: write
  // with stand-ins, then put the originals back into the written data set.
  OFString studyUid, forUid, birth;
  doc->getStudy().getStudyInstanceUID(studyUid);
  doc->getFrameOfReference().getFrameOfReferenceUID(forUid);
  doc->getPatient().getPatientBirthDate(birth);
  if (DcmUniqueIdentifier::checkStringValue(studyUid, "1").bad())
    doc->getStudy().setStudyInstanceUID(dicom::newUid().c_str(), OFFalse);
  if (DcmUniqueIdentifier::checkStringValue(forUid, "1").bad())
    doc->getFrameOfReference().setFrameOfReferenceUID(dicom::newUid().c_str(), OFFalse);
  if (DcmDate::checkStringValue(birth, "1").bad()) doc->getPatient().setPatientBirthDate("", OFFalse);
  // Dates that are not dates (00000000) are left empty, as in the RT Structure Set.
  OFString studyDate, studyTime;
  doc->getStudy().getStudyDate(studyDate);
  doc->getStudy().getStudyTime(studyTime);
  if (DcmDate::checkStringValue(studyDate, "1").bad()) doc->getStudy().setStudyDate("", OFFalse);
  if (DcmTime::checkStringValue(studyTime, "1").bad()) doc->getStudy().setStudyTime("", OFFalse);
  doc->getSeries().setSeriesNumber("902");
  doc->getSeries().setSeriesDescription("Atrium cardiac segmentation");

  const double gap = stack.slices.size() > 1 ? std::abs(stack.slices[1].position - stack.slices[0].position) : 1;
  addSharedFrameGeometry(*doc, first, gap, ok);

  std::vector<const CineImage*> sources;  // the source image of each frame, in frame order
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
        FGPlanePosPatient* position = FGPlanePosPatient::createMinimal(decimalString(img.position[0]).c_str(),
                                                                       decimalString(img.position[1]).c_str(),
                                                                       decimalString(img.position[2]).c_str());
        FGFrameContent* frameContent = new FGFrameContent();
        frameContent->setDimensionIndexValues(number, 0);
        frameContent->setDimensionIndexValues(static_cast<Uint32>(s + 1), 1);
        frameContent->setDimensionIndexValues(static_cast<Uint32>(p + 1), 2);
        frameContent->setTemporalPositionIndex(static_cast<Uint32>(p + 1));
        OFVector<FGBase*> groups;
        groups.push_back(position);
        groups.push_back(frameContent);
        sources.push_back(&img);
        OFCondition c = doc->addFrame(bits.data(), number, groups);
        for (auto* g : groups) delete g;
        ok(c, "add frame");
      }
  }
  // Dimensions: segment, slice (position), phase.
  IODMultiframeDimensionModule& dims = doc->getDimensions();
  const std::string organizationUid = dicom::newUid();
  const char* organization = organizationUid.c_str();
  ok(dims.addDimensionIndex(DCM_ReferencedSegmentNumber, organization, DCM_SegmentIdentificationSequence, "Segment"),
     "dimension segment");
  ok(dims.addDimensionIndex(DCM_ImagePositionPatient, organization, DCM_PlanePositionSequence, "Slice"),
     "dimension position");
  ok(dims.addDimensionIndex(DCM_TemporalPositionIndex, organization, DCM_FrameContentSequence, "Phase"),
     "dimension phase");
  // Each frame's source image, added to the written data set: DCMTK's functional group classes
  // check UIDs, and a reference must carry the source's UIDs exactly, valid or not (real archives
  // hold UIDs with leading zeros).
  DcmFileFormat ff;
  ok(doc->writeDataset(*ff.getDataset()), "write");
  DcmSequenceOfItems* perFrame = nullptr;
  ok(ff.getDataset()->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame), "per-frame groups");
  for (unsigned long i = 0; perFrame && i < perFrame->card() && i < sources.size(); ++i) {
    DcmItem* derivation = nullptr;
    perFrame->getItem(i)->findOrCreateSequenceItem(DCM_DerivationImageSequence, derivation, 0);
    DcmItem* dcode = nullptr;
    derivation->findOrCreateSequenceItem(DCM_DerivationCodeSequence, dcode, 0);
    dcode->putAndInsertString(DCM_CodeValue, "113076");
    dcode->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
    dcode->putAndInsertString(DCM_CodeMeaning, "Segmentation");
    addSourceImage(*derivation, sources[i]->sopClassUid, sources[i]->sopInstanceUid);
  }
  DcmDataset& ds = *ff.getDataset();
  ds.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
  ds.putAndInsertString(DCM_FrameOfReferenceUID, forUid.c_str());
  // Common Instance Reference: every source image, by series.
  for (const auto& series : stack.seriesUids) {
    DcmItem* seriesItem = nullptr;
    ds.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, seriesItem, -2);
    seriesItem->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
    for (const auto& sl : stack.slices)
      for (const auto& img : sl.phases) {
        if (img.seriesUid != series) continue;
        DcmItem* inst = nullptr;
        seriesItem->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, inst, -2);
        inst->putAndInsertString(DCM_ReferencedSOPClassUID, img.sopClassUid.c_str());
        inst->putAndInsertString(DCM_ReferencedSOPInstanceUID, img.sopInstanceUid.c_str());
      }
  }
  ok(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit), "save");
  OFString sop, series;
  doc->getSOPCommon().getSOPInstanceUID(sop);
  doc->getSeries().getSeriesInstanceUID(series);
  return {series.c_str(), sop.c_str()};
}

}  // namespace atrium::cardiac
