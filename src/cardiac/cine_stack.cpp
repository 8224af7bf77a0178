#include "cardiac/cine_stack.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdicdir.h>
#include <dcmtk/dcmdata/dcdirrec.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "cardiac/image2d.h"
#include "cardiac/mr_images.h"
#include "dicom/text.h"
#include "dicom/transcode.h"

namespace atrium::cardiac {
namespace {

constexpr int kMaxPhases = 512;      // images per slice position
constexpr int kMaxImageSide = 2048;  // pixels; a cine's are a few hundred
constexpr const char* kMrImage = "1.2.840.10008.5.1.4.1.1.4";
constexpr const char* kEnhancedMr = "1.2.840.10008.5.1.4.1.1.4.1";

std::string text(DcmItem& item, const DcmTagKey& key) { return dicom::trim(dicom::getRaw(item, key)); }

bool numbers(DcmItem& item, const DcmTagKey& key, double* out, int n) {
  for (int i = 0; i < n; ++i) {
    Float64 v = 0;
    if (item.findAndGetFloat64(key, v, static_cast<unsigned long>(i)).bad()) return false;
    out[i] = v;
  }
  return true;
}

// The first item of a sequence, searched in item then in the given functional group item.
DcmItem* groupItem(DcmItem* frameGroups, DcmItem* shared, const DcmTagKey& seq) {
  DcmItem* found = nullptr;
  if (frameGroups && frameGroups->findAndGetSequenceItem(seq, found, 0).good() && found) return found;
  if (shared && shared->findAndGetSequenceItem(seq, found, 0).good() && found) return found;
  return nullptr;
}

bool geometry(DcmItem& posItem, DcmItem& oriItem, DcmItem& spacingItem, CineImage& img) {
  double ipp[3], iop[6], ps[2];
  if (!numbers(posItem, DCM_ImagePositionPatient, ipp, 3) || !numbers(oriItem, DCM_ImageOrientationPatient, iop, 6) ||
      !numbers(spacingItem, DCM_PixelSpacing, ps, 2))
    return false;
  img.position = {ipp[0], ipp[1], ipp[2]};
  img.rowDir = {iop[0], iop[1], iop[2]};
  img.colDir = {iop[3], iop[4], iop[5]};
  img.rowSpacing = ps[0];
  img.colSpacing = ps[1];
  return true;
}

struct Header {
  std::vector<CineImage> images;
  std::string study, frameOfRef, name, id, charset;
  double height = 0, weight = 0;
  std::vector<double> nominalIntervals;  // per file that has one
};

// The images of one file (several for Enhanced MR); none when it is not a usable MR image.
bool readHeader(const std::filesystem::path& file, Header& h, std::string& why) {
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData)
          .bad()) {
    why = "not DICOM";
    return false;
  }
  DcmDataset& ds = *ff.getDataset();
  std::string cls = text(ds, DCM_SOPClassUID);
  if (cls != kMrImage && cls != kEnhancedMr) {
    why = "not an MR image";
    return false;
  }
  CineImage base;
  base.file = file;
  base.sopClassUid = cls;
  base.sopInstanceUid = text(ds, DCM_SOPInstanceUID);
  base.seriesUid = text(ds, DCM_SeriesInstanceUID);
  base.transferSyntax = DcmXfer(ff.getDataset()->getOriginalXfer()).getXferID();
  Uint16 rows = 0, cols = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, cols);
  base.rows = rows;
  base.columns = cols;
  Sint32 number = 0;
  ds.findAndGetSint32(DCM_InstanceNumber, number);
  base.instanceNumber = number;
  h.study = text(ds, DCM_StudyInstanceUID);
  h.frameOfRef = text(ds, DCM_FrameOfReferenceUID);
  h.name = dicom::getRaw(ds, DCM_PatientName);
  h.id = text(ds, DCM_PatientID);
  h.charset = text(ds, DCM_SpecificCharacterSet);
  numbers(ds, DCM_PatientSize, &h.height, 1);
  numbers(ds, DCM_PatientWeight, &h.weight, 1);
  double interval = 0;
  if (numbers(ds, DCM_NominalInterval, &interval, 1) && interval > 0) h.nominalIntervals.push_back(interval);
  if (rows == 0 || cols == 0) {
    why = "no image size";
    return false;
  }
  if (rows > kMaxImageSide || cols > kMaxImageSide) {
    why = "larger than a cine image (" + std::to_string(kMaxImageSide) + " pixels a side at most)";
    return false;
  }
  if (cls == kMrImage) {
    // A study also holds flow and mapping acquisitions: neither is part of the cine.
    if (isPhaseImageType(imageTypeValues(ds)) || vencFromHeader(ds, nullptr)) {
      why = "a phase-contrast (flow) image, not a cine";
      return false;
    }
    Float64 inversion = 0;
    if (ds.findAndGetFloat64(DCM_InversionTime, inversion).good() && inversion > 0) {
      why = "an inversion-recovery image (T1 mapping, late enhancement), not a cine";
      return false;
    }
    if (!geometry(ds, ds, ds, base)) {
      why = "no Image Position/Orientation (Patient) or Pixel Spacing";
      return false;
    }
    numbers(ds, DCM_TriggerTime, &base.triggerTime, 1);
    Sint32 frames = 1;
    ds.findAndGetSint32(DCM_NumberOfFrames, frames);
    for (Sint32 f = 0; f < std::max(frames, 1); ++f) {
      CineImage img = base;
      img.frame = static_cast<unsigned>(f);
      h.images.push_back(img);
    }
    return true;
  }
  // Enhanced MR: geometry and timing per frame from the functional groups.
  DcmItem* shared = nullptr;
  ds.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
  DcmSequenceOfItems* perFrame = nullptr;
  ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame);
  if (!perFrame) {
    why = "Enhanced MR without per-frame functional groups";
    return false;
  }
  for (unsigned long f = 0; f < perFrame->card(); ++f) {
    DcmItem* g = perFrame->getItem(f);
    DcmItem* pos = groupItem(g, shared, DCM_PlanePositionSequence);
    DcmItem* ori = groupItem(g, shared, DCM_PlaneOrientationSequence);
    DcmItem* pix = groupItem(g, shared, DCM_PixelMeasuresSequence);
    CineImage img = base;
    img.frame = static_cast<unsigned>(f);
    if (!pos || !ori || !pix || !geometry(*pos, *ori, *pix, img)) {
      why = "Enhanced MR frame without plane position/orientation or pixel measures";
      return false;
    }
    if (DcmItem* sync = groupItem(g, shared, DCM_CardiacSynchronizationSequence))
      numbers(*sync, DCM_NominalCardiacTriggerDelayTime, &img.triggerTime, 1);
    h.images.push_back(img);
  }
  return true;
}

// One matrix size and pixel spacing for the whole stack (the most common; ties: the first seen):
// images of another size or spacing (a scout, a reformat) are left out, since every slice's masks
// and every output share one grid per image.
void keepCommonGeometry(std::vector<CineImage>& images, std::vector<std::string>& warnings) {
  auto key = [](const CineImage& i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%dx%d@%.3fx%.3f", i.rows, i.columns, i.rowSpacing, i.colSpacing);
    return std::string(buf);
  };
  std::map<std::string, std::size_t> counts;
  for (const auto& i : images) ++counts[key(i)];
  if (counts.size() <= 1) return;
  auto best = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; });
  std::string keep = best->first;
  std::size_t before = images.size();
  std::erase_if(images, [&](const CineImage& i) { return key(i) != keep; });
  warnings.push_back(std::to_string(before - images.size()) +
                     " image(s) of another matrix size or pixel spacing left out (the stack's: " + keep + " mm)");
}

std::string orientationKey(const CineImage& i) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.2f/%.2f/%.2f/%.2f/%.2f/%.2f", i.rowDir[0], i.rowDir[1], i.rowDir[2], i.colDir[0],
                i.colDir[1], i.colDir[2]);
  return buf;
}

}  // namespace

namespace {

// A Referenced File ID component (PS3.10 8.2: up to 8 of A-Z 0-9 _): anything else, ".." included,
// is not turned into a path.
bool validFileIdComponent(const std::string& c) {
  if (c.empty() || c.size() > 8) return false;
  for (char ch : c)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

void collectFromDicomDir(DcmDirectoryRecord& record, const std::filesystem::path& root,
                         std::vector<std::filesystem::path>& files, int& rejected) {
  for (unsigned long i = 0; i < record.cardSub(); ++i) {
    DcmDirectoryRecord* sub = record.getSub(i);
    OFString id;
    if (sub->findAndGetOFStringArray(DCM_ReferencedFileID, id).good() && !id.empty()) {
      std::filesystem::path file = root;
      std::string component;
      bool ok = true;
      std::string text = id.c_str();
      for (std::size_t start = 0; start <= text.size();) {
        auto end = text.find('\\', start);
        component = dicom::trim(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        ok = ok && validFileIdComponent(component);
        file /= component;
        if (end == std::string::npos) break;
        start = end + 1;
      }
      if (ok)
        files.push_back(file);
      else
        ++rejected;
    }
    collectFromDicomDir(*sub, root, files, rejected);
  }
}

bool isDicomDir(const std::filesystem::path& p) {
  std::string name = p.filename().string();
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name == "DICOMDIR";
}

}  // namespace

CineStack loadCineStack(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> files;
  int rejectedIds = 0;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec) && isDicomDir(p)) {
      // The images a DICOMDIR lists, relative to its folder.
      DcmDicomDir dir(p.c_str());
      if (dir.error().bad()) throw CardiacError(p.string() + ": not a readable DICOMDIR (" + dir.error().text() + ")");
      collectFromDicomDir(dir.getRootRecord(), p.parent_path(), files, rejectedIds);
      continue;
    }
    if (std::filesystem::is_directory(p, ec)) {
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().filename() != "DICOMDIR") files.push_back(it->path());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      throw CardiacError(p.string() + ": no such file or folder");
    }
  }
  std::sort(files.begin(), files.end());
  Header h;
  std::map<std::string, int> skipped;
  for (const auto& f : files) {
    std::string why;
    if (!readHeader(f, h, why)) ++skipped[why];
  }
  CineStack stack;
  if (rejectedIds)
    stack.warnings.push_back(std::to_string(rejectedIds) + " DICOMDIR record(s) with an invalid file ID ignored");
  for (const auto& [why, n] : skipped) stack.warnings.push_back(std::to_string(n) + " file(s) skipped: " + why);
  if (h.images.empty()) throw CardiacError("no MR image with position, orientation and pixel spacing in the input");

  // The short-axis cine: the orientation with the most images (localizers and long-axis views
  // are fewer).
  std::map<std::string, std::vector<CineImage>> byOrientation;
  for (auto& i : h.images) byOrientation[orientationKey(i)].push_back(i);
  auto best = std::max_element(byOrientation.begin(), byOrientation.end(),
                               [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
  std::vector<CineImage> images = best->second;
  if (byOrientation.size() > 1)
    stack.warnings.push_back(std::to_string(h.images.size() - images.size()) +
                             " image(s) in other orientations left out (localizers, long axis)");
  keepCommonGeometry(images, stack.warnings);
  const auto& first = images.front();
  stack.normal = cross(first.rowDir, first.colDir);
  double n = norm(stack.normal);
  if (n < 0.5) throw CardiacError("Image Orientation (Patient) is not two orthogonal unit vectors");
  stack.normal = stack.normal * (1.0 / n);

  // Slices: positions along the normal, 0.5 mm apart at least.
  std::sort(images.begin(), images.end(), [&](const CineImage& a, const CineImage& b) {
    double pa = dot(a.position, stack.normal), pb = dot(b.position, stack.normal);
    if (std::abs(pa - pb) > 0.5) return pa < pb;
    if (a.triggerTime != b.triggerTime) return a.triggerTime < b.triggerTime;
    if (a.instanceNumber != b.instanceNumber) return a.instanceNumber < b.instanceNumber;
    return a.frame < b.frame;  // the frames of one multi-frame image in their stored order
  });
  std::vector<std::pair<double, std::vector<CineImage>>> positions;
  for (const auto& img : images) {
    double pos = dot(img.position, stack.normal);
    if (positions.empty() || std::abs(positions.back().first - pos) > 0.5) positions.push_back({pos, {}});
    positions.back().second.push_back(img);
  }
  // Each position's candidate cines: one per series when the slice was acquired more than once
  // (a repeated breath-hold), else all its images; duplicates (same time twice) left out.
  int duplicates = 0;
  std::vector<std::vector<std::vector<CineImage>>> candidates;
  std::map<std::size_t, int> counts;
  for (auto& [pos, imgs] : positions) {
    std::map<std::string, std::vector<CineImage>> bySeries;
    for (const auto& i : imgs) bySeries[i.seriesUid].push_back(i);
    std::vector<std::vector<CineImage>> sets;
    if (bySeries.size() > 1)
      for (auto& [uid, v] : bySeries) sets.push_back(std::move(v));
    else
      sets.push_back(imgs);
    for (auto& set : sets) {
      std::vector<CineImage> kept;
      for (const auto& img : set) {
        // The same slice at the same time twice (a repeated acquisition): the first is kept.
        if (!kept.empty() && std::abs(kept.back().triggerTime - img.triggerTime) < 1.0 &&
            kept.back().file != img.file) {
          ++duplicates;
          continue;
        }
        kept.push_back(img);
      }
      set = std::move(kept);
      ++counts[set.size()];
    }
    candidates.push_back(std::move(sets));
  }
  if (duplicates) stack.warnings.push_back(std::to_string(duplicates) + " duplicated image(s) left out");
  // The cine's phase count: the largest count that two or more slices have (one slice with extra
  // images does not set it; slices that lost images are the incomplete ones).
  for (const auto& [size, n] : counts)
    if (n >= 2 || counts.size() == 1) stack.phases = std::max(stack.phases, static_cast<int>(size));
  if (stack.phases == 0) stack.phases = static_cast<int>(counts.rbegin()->first);
  if (stack.phases < 2) throw CardiacError("the short-axis images have a single phase: not a cine");
  if (stack.phases > kMaxPhases)
    throw CardiacError("the short-axis slices have " + std::to_string(stack.phases) +
                       " images each: more than a cine's " + std::to_string(kMaxPhases) + " phases");
  // A slice is kept only with every phase: a phase index then means the same moment in every
  // slice, and each output has one image per slice and phase. The right count is not enough when
  // the cine lost images everywhere: a gap in the trigger times (one step over 1.5 times the
  // median step) is a missing phase, whatever the heart rate of that breath-hold.
  auto regular = [](const std::vector<CineImage>& set) {
    std::vector<double> steps;
    for (std::size_t i = 1; i < set.size(); ++i) steps.push_back(set[i].triggerTime - set[i - 1].triggerTime);
    double typical = median(steps);
    if (typical <= 0) return true;  // no trigger times (multi-frame without them): nothing to check
    return std::all_of(steps.begin(), steps.end(), [&](double s) { return s <= 1.5 * typical; });
  };
  int incomplete = 0;
  for (std::size_t k = 0; k < positions.size(); ++k) {
    const std::vector<CineImage>* chosen = nullptr;
    for (const auto& set : candidates[k])
      if (static_cast<int>(set.size()) == stack.phases && regular(set)) chosen = &set;  // the last complete one
    if (!chosen) {
      ++incomplete;
      continue;
    }
    if (candidates[k].size() > 1)
      stack.warnings.push_back("slice at " + std::to_string(positions[k].first) +
                               " mm was acquired more than once: series " + chosen->front().seriesUid + " used");
    stack.slices.push_back({positions[k].first, *chosen});
  }
  if (incomplete)
    stack.warnings.push_back(std::to_string(incomplete) + " slice(s) without all " + std::to_string(stack.phases) +
                             " phases left out (an incomplete or repeated series): volumes miss them");
  if (stack.slices.size() < 2)
    throw CardiacError("fewer than two short-axis slices with all " + std::to_string(stack.phases) +
                       " phases (the cine is incomplete: " + std::to_string(positions.size()) + " slice position(s), " +
                       std::to_string(images.size()) + " images)");
  // Volumes from less than half the slices would be numbers without meaning.
  if (2 * stack.slices.size() < positions.size())
    throw CardiacError("only " + std::to_string(stack.slices.size()) + " of " + std::to_string(positions.size()) +
                       " short-axis slices have the same " + std::to_string(stack.phases) + " phases (slices hold " +
                       std::to_string(counts.begin()->first) + " to " + std::to_string(counts.rbegin()->first) +
                       " images): the cine is incomplete");
  std::set<std::string> series;
  for (const auto& s : stack.slices)
    for (const auto& p : s.phases) series.insert(p.seriesUid);
  stack.seriesUids.assign(series.begin(), series.end());
  stack.studyUid = h.study;
  stack.frameOfReferenceUid = h.frameOfRef;
  stack.patientName = h.name;
  stack.patientId = h.id;
  stack.specificCharacterSet = h.charset;
  stack.heightM = h.height;
  stack.weightKg = h.weight;
  if (!h.nominalIntervals.empty()) {
    auto& v = h.nominalIntervals;
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    stack.nominalIntervalMs = v[v.size() / 2];  // the median: one breath-hold's arrhythmia aside
  }
  return stack;
}

PixelReader::PixelReader() = default;
PixelReader::~PixelReader() = default;

std::vector<float> PixelReader::read(const CineImage& image) {
  auto& ff = files_[image.file];
  if (!ff) {
    ff = std::make_unique<DcmFileFormat>();
    std::string error;
    if (!dicom::loadInTransferSyntax(image.file, image.transferSyntax, "1.2.840.10008.1.2.1", *ff, error))
      throw CardiacError(image.file.string() + ": " + error);
  }
  DcmDataset& ds = *ff->getDataset();
  Uint16 bits = 16, repr = 0;
  ds.findAndGetUint16(DCM_BitsAllocated, bits);
  ds.findAndGetUint16(DCM_PixelRepresentation, repr);
  double slope = 1, intercept = 0;
  numbers(ds, DCM_RescaleSlope, &slope, 1);
  numbers(ds, DCM_RescaleIntercept, &intercept, 1);
  if (image.sopClassUid == kEnhancedMr) {
    DcmItem* shared = nullptr;
    ds.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
    DcmItem* frame = nullptr;
    ds.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, static_cast<signed long>(image.frame));
    if (DcmItem* t = groupItem(frame, shared, DCM_PixelValueTransformationSequence)) {
      numbers(*t, DCM_RescaleSlope, &slope, 1);
      numbers(*t, DCM_RescaleIntercept, &intercept, 1);
    }
  }
  const Uint8* raw = nullptr;
  unsigned long length = 0;
  if (ds.findAndGetUint8Array(DCM_PixelData, raw, &length).bad() || !raw)
    throw CardiacError(image.file.string() + ": no pixel data");
  if (bits != 8 && bits != 16)
    throw CardiacError(image.file.string() + ": " + std::to_string(bits) + " bits allocated (8 or 16 expected)");
  std::size_t count = std::size_t(image.rows) * image.columns, bytes = bits / 8;
  std::size_t offset = count * bytes * image.frame;
  if (bytes < 1 || offset + count * bytes > length)
    throw CardiacError(image.file.string() + ": pixel data shorter than its size says");
  std::vector<float> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Uint8* p = raw + offset + i * bytes;
    double v = bytes == 1 ? p[0] : repr ? double(Sint16(p[0] | (p[1] << 8))) : double(Uint16(p[0] | (p[1] << 8)));
    out[i] = static_cast<float>(v * slope + intercept);
  }
  // Only multi-frame files are worth keeping for their next frame.
  if (length < 2 * count * bytes) files_.erase(image.file);
  return out;
}

}  // namespace atrium::cardiac
