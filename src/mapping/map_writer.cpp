#include "mapping/map_writer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrda.h>
#include <dcmtk/dcmdata/dcvrui.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgframeanatomy.h>
#include <dcmtk/dcmfg/fgframevoilut.h>
#include <dcmtk/dcmfg/fgparametricmapframetype.h>
#include <dcmtk/dcmfg/fgpixeltransform.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgrealworldvaluemapping.h>
#include <dcmtk/dcmiod/modfloatingpointimagepixel.h>
#include <dcmtk/dcmpmap/dpmparametricmapiod.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "cardiac/derived_object.h"
#include "cardiac/frame_geometry.h"
#include "dicom/uid.h"

namespace atrium::mapping {
namespace {

using cardiac::decimalString;

void ok(const OFCondition& c, const char* what) {
  if (c.bad()) throw MappingError(std::string("parametric map: ") + what + ": " + c.text());
}

const char* derivedContrast(MapKind k) {
  switch (k) {
    case MapKind::Molli:
    case MapKind::Sasha:
      return "T1_MAP";
    case MapKind::T2:
      return "T2_MAP";
    case MapKind::T2Star:
      return "T2_STAR_MAP";
  }
  return "T1_MAP";
}

std::string description(const RelaxationMap& m) { return std::string("Atrium ") + kindName(m.kind) + " map"; }

void putPatientAndStudy(const RelaxationMap& map, DcmDataset& ds) {
  cardiac::copyPatientAndStudy(map.reference, ds);
  ds.putAndInsertString(DCM_FrameOfReferenceUID, map.reference.frameOfReferenceUid.c_str());
}

// A perceptual blue-green-yellow-red ramp (t in 0..1).
std::array<std::uint8_t, 3> colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  static const double stops[][3] = {{20, 20, 120}, {30, 110, 200}, {40, 180, 120}, {240, 220, 60}, {220, 50, 40}};
  const double x = t * 4;
  const int i = std::min(3, static_cast<int>(x));
  const double f = x - i;
  std::array<std::uint8_t, 3> c{};
  for (int k = 0; k < 3; ++k) c[k] = static_cast<std::uint8_t>(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
  return c;
}

}  // namespace

// CID 7203's codes for these quantities (DCM T1, T2, T2*), as derivation and as SR concept.
std::array<const char*, 3> quantityCode(MapKind k) {
  switch (k) {
    case MapKind::Molli:
    case MapKind::Sasha:
      return {"113063", "DCM", "T1"};
    case MapKind::T2:
      return {"113065", "DCM", "T2"};
    case MapKind::T2Star:
      return {"113064", "DCM", "T2*"};
  }
  return {"113063", "DCM", "T1"};
}

DisplayRange displayRange(MapKind kind) {
  switch (kind) {
    case MapKind::Molli:
    case MapKind::Sasha:
      return {0, 2000};
    case MapKind::T2:
      return {0, 120};
    case MapKind::T2Star:
      return {0, 60};
  }
  return {0, 2000};
}

std::string writeParametricMap(const RelaxationMap& map, const std::filesystem::path& file, int seriesNumber,
                               MapLayer layer) {
  // What the frame holds: the values in ms, or the fit's R² (a ratio, 0..1).
  const bool quality = layer == MapLayer::FitQuality;
  const std::vector<float>& values = quality ? map.r2 : map.valueMs;
  const std::string label = quality ? "R2" : quantityCode(map.kind)[2];
  const std::string desc = description(map) + (quality ? ", fit R2" : "");
  const DisplayRange range = quality ? DisplayRange{0, 1} : displayRange(map.kind);
  IODEnhGeneralEquipmentModule::EquipmentInfo equipment("Atrium", "atrium", "1", "0.1.0");
  ContentIdentificationMacro content("1", "MAP", desc.c_str(), "Atrium");
  auto created = DPMParametricMapIOD::create<IODFloatingPointImagePixelModule>(
      "MR", std::to_string(seriesNumber).c_str(), "1", static_cast<Uint16>(map.height), static_cast<Uint16>(map.width),
      equipment, content, "CARDIAC", derivedContrast(map.kind), DPMTypes::CQ_RESEARCH);
  if (auto* err = OFget<OFCondition>(&created)) ok(*err, "create");
  DPMParametricMapIOD* doc = OFget<DPMParametricMapIOD>(&created);
  ok(doc->setRecognizableVisualFeatures(DPMTypes::RVF_NO), "visual features");
  doc->getIODGeneralSeriesModule().setSeriesDescription(desc.c_str());
  const cardiac::MrImage& ref = map.reference;
  // The source images' slice thickness (not invented when they have none).
  cardiac::addSharedFrameGeometry(*doc, ref, ref.sliceThicknessMm, ok);
  std::unique_ptr<FGPlanePosPatient> position(FGPlanePosPatient::createMinimal(decimalString(ref.position[0]).c_str(),
                                                                               decimalString(ref.position[1]).c_str(),
                                                                               decimalString(ref.position[2]).c_str()));
  ok(doc->addForAllFrames(*position), "plane position");
  FGPixelValueTransformation identity;
  identity.setFGType(FGPixelValueTransformation::E_PixelValTrans_Identity);
  ok(doc->addForAllFrames(identity), "identity transformation");
  FGFrameVOILUT voi;
  ok(voi.setWindowCenter(decimalString((range.lowMs + range.highMs) / 2).c_str()), "window centre");
  ok(voi.setWindowWidth(decimalString(range.highMs - range.lowMs).c_str()), "window width");
  ok(doc->addForAllFrames(voi), "frame VOI LUT");
  FGFrameAnatomy anatomy;
  ok(anatomy.setLaterality(FGFrameAnatomy::LATERALITY_UNPAIRED), "laterality");
  anatomy.getAnatomy().getAnatomicRegion().set("80891009", "SCT", "Heart");
  ok(doc->addForAllFrames(anatomy), "frame anatomy");
  FGParametricMapFrameType frameType;
  ok(frameType.setFrameType((std::string("DERIVED\\PRIMARY\\CARDIAC\\") + derivedContrast(map.kind)).c_str()),
     "frame type");
  ok(doc->addForAllFrames(frameType), "frame type");
  FGRealWorldValueMapping rwvm;
  auto* item = new FGRealWorldValueMapping::RWVMItem();
  float low = 0, high = 0;
  if (!values.empty()) {
    low = *std::min_element(values.begin(), values.end());
    high = *std::max_element(values.begin(), values.end());
  }
  ok(item->setDoubleFloatRealWorldValueFirstValueMapped(low), "first value mapped");
  ok(item->setDoubleFloatRealWorldValueLastValueMapped(std::max(high, low + (quality ? 0.01f : 1.f))),
     "last value mapped");
  ok(item->setRealWorldValueSlope(1), "slope");
  ok(item->setRealWorldValueIntercept(0), "intercept");
  ok(item->setLUTExplanation(quality ? "coefficient of determination of the fit" : kindName(map.kind)),
     "LUT explanation");
  ok(item->setLUTLabel(label.c_str()), "LUT label");
  if (quality)
    item->getMeasurementUnitsCode().set("{ratio}", "UCUM", "ratio");
  else
    item->getMeasurementUnitsCode().set("ms", "UCUM", "millisecond");
  rwvm.getRealWorldValueMapping().push_back(item);
  ok(doc->addForAllFrames(rwvm), "real world value mapping");
  auto frames = doc->getFrames();
  auto* typed = OFget<DPMParametricMapIOD::Frames<Float32>>(&frames);
  if (!typed) throw MappingError("parametric map: no float frames");
  FGFrameContent frameContent;
  frameContent.setDimensionIndexValues(1, 0);
  OFVector<FGBase*> perFrame;
  perFrame.push_back(&frameContent);
  std::vector<Float32> pixels(values.begin(), values.end());
  ok(typed->addFrame(pixels.data(), pixels.size(), perFrame), "add frame");
  const std::string organization = dicom::newUid();
  ok(doc->getIODMultiframeDimensionModule().addDimensionIndex(DCM_ImagePositionPatient, organization.c_str(),
                                                              DCM_PlanePositionSequence, "Slice"),
     "dimension");
  DcmFileFormat ff;
  ok(doc->write(*ff.getDataset()), "write");
  DcmDataset& ds = *ff.getDataset();
  putPatientAndStudy(map, ds);
  // Where the values came from: the weighted images (Derivation Image of the frame, and the
  // Common Instance Reference), written as the sources' UIDs are, valid or not.
  DcmSequenceOfItems* perFrameGroups = nullptr;
  ok(ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrameGroups), "per-frame groups");
  DcmItem* derivation = nullptr;
  perFrameGroups->getItem(0)->findOrCreateSequenceItem(DCM_DerivationImageSequence, derivation, 0);
  DcmItem* code = nullptr;
  derivation->findOrCreateSequenceItem(DCM_DerivationCodeSequence, code, 0);
  const auto q = quantityCode(map.kind);
  code->putAndInsertString(DCM_CodeValue, q[0]);
  code->putAndInsertString(DCM_CodingSchemeDesignator, q[1]);
  code->putAndInsertString(DCM_CodeMeaning, q[2]);
  for (const auto& src : map.sources) cardiac::addSourceImage(*derivation, src.sopClassUid, src.sopInstanceUid);
  DcmItem* seriesItem = nullptr;
  ds.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, seriesItem, -2);
  seriesItem->putAndInsertString(DCM_SeriesInstanceUID, ref.seriesUid.c_str());
  for (const auto& src : map.sources) {
    DcmItem* inst = nullptr;
    seriesItem->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, inst, -2);
    inst->putAndInsertString(DCM_ReferencedSOPClassUID, src.sopClassUid.c_str());
    inst->putAndInsertString(DCM_ReferencedSOPInstanceUID, src.sopInstanceUid.c_str());
  }
  ok(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit), "save");
  OFString sop;
  ds.findAndGetOFString(DCM_SOPInstanceUID, sop);
  return sop.c_str();
}

std::string writeColourMap(const RelaxationMap& map, const std::filesystem::path& file, int seriesNumber) {
  DcmFileFormat ff;
  DcmDataset& ds = *ff.getDataset();
  putPatientAndStudy(map, ds);
  const std::string sop = dicom::newUid();
  ds.putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
  ds.putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
  ds.putAndInsertString(DCM_SeriesInstanceUID, dicom::newUid().c_str());
  ds.putAndInsertString(DCM_Modality, "MR");
  ds.putAndInsertString(DCM_ConversionType, "WSD");
  ds.putAndInsertString(DCM_SeriesNumber, std::to_string(seriesNumber).c_str());
  ds.putAndInsertString(DCM_InstanceNumber, "1");
  ds.putAndInsertString(DCM_ImageType, "DERIVED\\SECONDARY");
  const DisplayRange range = displayRange(map.kind);
  const std::string desc =
      description(map) + " (colour, " + decimalString(range.lowMs) + "-" + decimalString(range.highMs) + " ms)";
  ds.putAndInsertString(DCM_SeriesDescription, desc.c_str());
  ds.putAndInsertString(DCM_DerivationDescription, desc.c_str());
  ds.putAndInsertString(DCM_BurnedInAnnotation, "NO");
  ds.putAndInsertString(DCM_PatientOrientation, "");
  ds.putAndInsertString(DCM_Laterality, "");
  const cardiac::MrImage& ref = map.reference;
  ds.putAndInsertString(DCM_PixelSpacing,
                        (decimalString(ref.rowSpacing) + "\\" + decimalString(ref.colSpacing)).c_str());
  // The map, then a colour bar of a twentieth of the width on the right (low at the bottom).
  const int bar = std::max(4, map.width / 20), width = map.width + bar;
  ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(map.height));
  ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(width));
  ds.putAndInsertUint16(DCM_SamplesPerPixel, 3);
  ds.putAndInsertString(DCM_PhotometricInterpretation, "RGB");
  ds.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  ds.putAndInsertUint16(DCM_BitsAllocated, 8);
  ds.putAndInsertUint16(DCM_BitsStored, 8);
  ds.putAndInsertUint16(DCM_HighBit, 7);
  ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
  std::vector<Uint8> rgb(std::size_t(width) * map.height * 3, 0);
  for (int y = 0; y < map.height; ++y)
    for (int x = 0; x < width; ++x) {
      std::array<std::uint8_t, 3> c{};
      if (x >= map.width) {
        c = colour(1.0 - double(y) / std::max(1, map.height - 1));
      } else {
        const std::size_t p = std::size_t(y) * map.width + x;
        if (!map.fitted[p]) continue;
        c = colour((map.valueMs[p] - range.lowMs) / (range.highMs - range.lowMs));
      }
      std::copy(c.begin(), c.end(), rgb.begin() + (std::size_t(y) * width + x) * 3);
    }
  ds.putAndInsertUint8Array(DCM_PixelData, rgb.data(), static_cast<unsigned long>(rgb.size()));
  if (ff.saveFile(file.c_str(), EXS_LittleEndianExplicit).bad()) throw MappingError("cannot write " + file.string());
  return sop;
}

}  // namespace atrium::mapping
