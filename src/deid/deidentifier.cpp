#include "deid/deidentifier.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>

#include "common/version.h"
#include "dicom/text.h"
#include "dicom/transcode.h"

namespace atrium::deid {
namespace {

constexpr const char* kExplicitLittle = "1.2.840.10008.1.2.1";

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
long daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}
std::string civilFromDays(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const long y = static_cast<long>(yoe) + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04ld%02u%02u", y, m, d);
  return buf;
}
// A DA value (or the date of a DT) moved back by `days`; "" when it is not a date.
std::string shiftDate(const std::string& v, int days) {
  if (v.size() < 8 || !std::all_of(v.begin(), v.begin() + 8, ::isdigit)) return "";
  int y = std::stoi(v.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(v.substr(4, 2))), d = static_cast<unsigned>(std::stoi(v.substr(6, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) return "";
  return civilFromDays(daysFromCivil(y, m, d) - days) + v.substr(8);
}

bool isTextVr(DcmEVR vr) {
  return vr == EVR_LO || vr == EVR_SH || vr == EVR_LT || vr == EVR_ST || vr == EVR_UT || vr == EVR_PN || vr == EVR_UC;
}

// The text of SR content items (TID values) that the Content Sequence's action covers.
bool isContentValue(const DcmTagKey& t) {
  return t == DCM_TextValue || t == DCM_DateTime || t == DCM_Date || t == DCM_Time;
}

// A dummy value of the element's VR (D): conformant, identifying nothing.
std::string dummyFor(DcmEVR vr) {
  switch (vr) {
    case EVR_PN:
      return "ANONYMOUS";
    case EVR_DA:
      return "19000101";
    case EVR_TM:
      return "000000";
    case EVR_DT:
      return "19000101000000";
    case EVR_AS:
      return "000Y";
    case EVR_IS:
    case EVR_DS:
      return "0";
    case EVR_CS:
      return "ANON";
    case EVR_AE:
      return "ANON";
    default:
      return "ANONYMIZED";
  }
}

struct Context {
  bool cleanText = false;  // inside a sequence whose action is C: its free text scrubbed
  bool dummyText = false;  // inside a sequence whose action is D: SR content values replaced
};

class Run {
 public:
  Run(const Settings& s, const Pseudonyms& p, DcmDataset& ds) : settings_(s), pseudonyms_(p), ds_(ds) {
    const std::string id = dicom::stringValue(ds, DCM_PatientID),
                      issuer = dicom::stringValue(ds, DCM_IssuerOfPatientID);
    patientKey_ = id.empty()
                      ? dicom::stringValue(ds, DCM_PatientName) + '\x1f' + dicom::stringValue(ds, DCM_PatientBirthDate)
                      : id + '\x1f' + issuer;
    shiftDays_ = pseudonyms_.dateShiftDays(patientKey_);
    // What free text must not contain (Clean Descriptors, Clean Structured Content, Clean Graphics).
    for (const DcmTagKey& t :
         {DCM_PatientName, DCM_ReferringPhysicianName, DCM_PerformingPhysicianName, DCM_OperatorsName,
          DCM_NameOfPhysiciansReadingStudy, DCM_OtherPatientNames, DCM_PatientBirthName, DCM_PatientMotherBirthName})
      for (const auto& value : split(dicom::stringValue(ds, t), '\\'))
        for (const auto& group : split(value, '='))
          for (const auto& part : split(group, '^'))
            for (const auto& word : split(part, ' '))
              if (word.size() >= 3) tokens_.push_back(word);
    for (const DcmTagKey& t : {DCM_PatientID, DCM_AccessionNumber, DCM_RETIRED_OtherPatientIDs, DCM_InstitutionName,
                               DCM_PatientAddress, DCM_PatientTelephoneNumbers, DCM_RETIRED_MedicalRecordLocator})
      for (const auto& value : split(dicom::stringValue(ds, t), '\\'))
        if (value.size() >= 3) tokens_.push_back(value);
    if (auto b = dicom::stringValue(ds, DCM_PatientBirthDate); b.size() == 8) {
      tokens_.push_back(b);
      tokens_.push_back(b.substr(0, 4) + "-" + b.substr(4, 2) + "-" + b.substr(6, 2));
      tokens_.push_back(b.substr(6, 2) + "." + b.substr(4, 2) + "." + b.substr(0, 4));
      tokens_.push_back(b.substr(4, 2) + "/" + b.substr(6, 2) + "/" + b.substr(0, 4));
    }
  }

  void item(DcmItem& item, Context ctx) {
    for (unsigned long i = item.card(); i-- > 0;) {
      DcmElement* e = item.getElement(i);
      if (!e) continue;
      const DcmTag& tag = e->getTag();
      if (tag.getGroup() == 0x0002) continue;  // the meta header is rebuilt on writing
      if (tag.isPrivate()) {
        if (!keepPrivate(tag))
          delete item.remove(e);
        else if (e->ident() == EVR_SQ)
          sequence(*e, ctx);
        continue;
      }
      auto rule = ruleFor(tag.getGroup(), tag.getElement());
      if (!rule) {
        unlisted(item, e, ctx);
        continue;
      }
      apply(item, e, effective(*rule), ctx);
    }
  }

  bool usesModifiedDates() const { return has(Option::RetainLongModifiedDates) && !has(Option::RetainLongFullDates); }

 private:
  bool has(Option o) const { return settings_.options.count(o) > 0; }

  // An option's action where an enabled option has one: Keep before Clean before the rest.
  Action effective(const Rule& r) const {
    std::optional<Action> chosen;
    for (int o = 0; o < static_cast<int>(Option::Count); ++o)
      if (r.option[o] && has(static_cast<Option>(o)))
        if (!chosen || *r.option[o] == Action::Keep || (*r.option[o] == Action::Clean && *chosen != Action::Keep))
          chosen = r.option[o];
    // Retain Longitudinal Modified Dates and Full Dates both given: full dates win (K).
    return chosen ? *chosen : r.basic;
  }

  bool keepPrivate(const DcmTag& tag) const {
    if (!has(Option::RetainSafePrivate)) return false;
    const char* creator = tag.getPrivateCreator();
    std::string c = creator ? creator : "";
    if (tag.isPrivateReservation()) {
      // A creator element: its value names the block.
      return false;  // decided with the block below (kept when the block is)
    }
    return std::find(settings_.safePrivateCreators.begin(), settings_.safePrivateCreators.end(), c) !=
           settings_.safePrivateCreators.end();
  }

  void unlisted(DcmItem& item, DcmElement* e, Context ctx) {
    const DcmEVR vr = e->ident();
    if (vr == EVR_SQ) return sequence(*e, ctx);
    // Dates the table does not name are treated as its dates are: emptied, kept with full dates,
    // moved with modified dates (an Instance Creation Date is as telling as a Study Date).
    if (vr == EVR_DA || vr == EVR_DT) {
      if (has(Option::RetainLongFullDates)) return;
      if (usesModifiedDates()) return shift(e);
      e->putString("");
      return;
    }
    if (isContentValue(e->getTag()) && (ctx.cleanText || ctx.dummyText)) {
      if (ctx.dummyText)
        e->putString(dummyFor(vr).c_str());
      else if (isTextVr(vr))
        scrub(e);
      return;
    }
    if (ctx.cleanText && isTextVr(vr)) scrub(e);
    (void)item;
  }

  void apply(DcmItem& item, DcmElement* e, Action a, Context ctx) {
    const DcmEVR vr = e->ident();
    const DcmTagKey key = e->getTag();
    switch (a) {
      case Action::Keep:
        if (vr == EVR_SQ) sequence(*e, ctx);
        return;
      case Action::Remove:
        delete item.remove(e);
        return;
      case Action::Empty:
        if (key == DCM_PatientID || key == DCM_PatientName) {
          // Z allows a dummy: the patient's pseudonym, the same for all its studies and runs.
          e->putString(pseudonyms_.patientId(patientKey_).c_str());
        } else if (vr == EVR_SQ) {
          static_cast<DcmSequenceOfItems*>(e)->clear();
        } else {
          e->clear();
        }
        return;
      case Action::Dummy:
        if (vr == EVR_SQ) {
          Context inner = ctx;
          inner.dummyText = true;
          return sequence(*e, inner);
        }
        if (vr == EVR_UI) return replaceUids(e);
        if (e->isaString())
          e->putString(dummyFor(vr).c_str());
        else
          e->clear();
        return;
      case Action::Uid:
        if (vr == EVR_SQ) return sequence(*e, ctx);
        if (vr == EVR_UI)
          replaceUids(e);
        else
          e->clear();
        return;
      case Action::Clean:
        if (vr == EVR_SQ) {
          Context inner = ctx;
          inner.cleanText = true;
          return sequence(*e, inner);
        }
        if (vr == EVR_DA || vr == EVR_DT) return shift(e);
        if (vr == EVR_TM) return;  // times stay with their moved dates
        if (isTextVr(vr)) scrub(e);
        return;
    }
  }

  void sequence(DcmElement& e, Context ctx) {
    auto& sq = static_cast<DcmSequenceOfItems&>(e);
    for (unsigned long i = 0; i < sq.card(); ++i) item(*sq.getItem(i), ctx);
  }

  void replaceUids(DcmElement* e) {
    OFString v;
    e->getOFStringArray(v);
    std::string out;
    for (const auto& uid : split(v.c_str(), '\\')) {
      if (!out.empty()) out += '\\';
      if (!uid.empty()) out += pseudonyms_.uid(uid);
    }
    e->putString(out.c_str());
  }

  void shift(DcmElement* e) {
    OFString v;
    e->getOFStringArray(v);
    std::string out;
    for (const auto& d : split(v.c_str(), '\\')) {
      if (!out.empty()) out += '\\';
      out += shiftDate(d, shiftDays_);
    }
    e->putString(out.c_str());
  }

  // Every identifying word of this data set in the text replaced by asterisks.
  void scrub(DcmElement* e) {
    OFString v;
    e->getOFStringArray(v);
    std::string s = v.c_str(), lower = s;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    for (auto token : tokens_) {
      std::transform(token.begin(), token.end(), token.begin(), ::tolower);
      std::size_t chars = 0;  // one asterisk per character (UTF-8), not per byte
      for (unsigned char c : token) chars += (c & 0xC0) != 0x80;
      for (std::size_t at = lower.find(token); at != std::string::npos; at = lower.find(token, at + chars)) {
        s.replace(at, token.size(), std::string(chars, '*'));
        lower.replace(at, token.size(), std::string(chars, '*'));
      }
    }
    e->putString(s.c_str());
  }

  const Settings& settings_;
  const Pseudonyms& pseudonyms_;
  DcmDataset& ds_;
  std::string patientKey_;
  int shiftDays_ = 0;
  std::vector<std::string> tokens_;
};

// Blanks the regions in every frame and sample (uncompressed pixels of 8 or 16 bits).
void blank(DcmDataset& ds, const std::vector<Region>& regions) {
  Uint16 rows = 0, cols = 0, spp = 1, bits = 0, planar = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, cols);
  ds.findAndGetUint16(DCM_SamplesPerPixel, spp);
  ds.findAndGetUint16(DCM_BitsAllocated, bits);
  ds.findAndGetUint16(DCM_PlanarConfiguration, planar);
  Sint32 frames = 1;
  ds.findAndGetSint32(DCM_NumberOfFrames, frames);
  if (frames < 1) frames = 1;
  DcmElement* pixels = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, pixels).bad() || !pixels) throw DeidError("no pixel data to clean");
  if (bits != 8 && bits != 16) throw DeidError("cannot clean pixels of " + std::to_string(bits) + " bits");
  const std::size_t count = std::size_t(frames) * rows * cols * spp;
  Uint8* bytes = nullptr;
  Uint16* words = nullptr;
  if (bits == 8 ? pixels->getUint8Array(bytes).bad() || !bytes : pixels->getUint16Array(words).bad() || !words)
    throw DeidError("cannot read the pixel data to clean it");
  if (pixels->getLength() < count * (bits / 8)) throw DeidError("pixel data shorter than Rows x Columns x frames");
  for (Sint32 f = 0; f < frames; ++f)
    for (const auto& r : regions)
      for (int y = std::max(0, r.y0); y < std::min<int>(rows, r.y1); ++y)
        for (int x = std::max(0, r.x0); x < std::min<int>(cols, r.x1); ++x)
          for (int s = 0; s < spp; ++s) {
            std::size_t i = planar ? ((std::size_t(f) * spp + s) * rows + y) * cols + x
                                   : ((std::size_t(f) * rows + y) * cols + x) * spp + s;
            if (bits == 8)
              bytes[i] = 0;
            else
              words[i] = 0;
          }
}

void addMethod(DcmDataset& ds, const Settings& settings, bool modifiedDates) {
  ds.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
  std::string method =
      "Atrium " + std::string(atrium::version()) + ": PS3.15 E.1 Basic Application Level Confidentiality Profile";
  for (auto o : settings.options) method += std::string(", ") + optionMeaning(o);
  if (method.size() > 64) method = method.substr(0, 64);
  ds.putAndInsertString(DCM_DeidentificationMethod, method.c_str());
  ds.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
  auto code = [&](const char* value, const char* meaning) {
    DcmItem* item = nullptr;
    if (ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, item, -2).good() && item) {
      item->putAndInsertString(DCM_CodeValue, value);
      item->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
      item->putAndInsertString(DCM_CodeMeaning, meaning);
    }
  };
  code("113100", "Basic Application Confidentiality Profile");
  for (auto o : settings.options) code(optionCode(o), optionMeaning(o));
  const bool full = settings.options.count(Option::RetainLongFullDates) > 0;
  ds.putAndInsertString(DCM_LongitudinalTemporalInformationModified, full            ? "UNMODIFIED"
                                                                     : modifiedDates ? "MODIFIED"
                                                                                     : "REMOVED");
}

}  // namespace

void useArchiveRegions(Settings& settings, const std::string& dataDir) {
  const auto regions = std::filesystem::path(dataDir) / "deid-pixel-regions.json";
  if (std::filesystem::exists(regions)) settings.pixels = PixelRegions::load(regions);
}

void useArchiveKeyAndRegions(Settings& settings, const std::string& dataDir) {
  settings.key = projectKeyOf(dataDir);
  useArchiveRegions(settings, dataDir);
}

Deidentifier::Deidentifier(Settings settings) : settings_(std::move(settings)), pseudonyms_(settings_.key) {}

DeidResult Deidentifier::file(const std::filesystem::path& in, const std::filesystem::path& out) const {
  DcmFileFormat ff;
  if (OFCondition c = ff.loadFile(in.c_str()); c.bad()) throw DeidError(std::string("cannot read: ") + c.text());
  if (ff.loadAllDataIntoMemory().bad()) throw DeidError("cannot read the whole file");
  DcmDataset* ds = ff.getDataset();
  DeidResult result;

  // Burned-in text: blanked where the regions are known (Clean Pixel Data), else refused.
  const std::string burned = dicom::stringValue(*ds, DCM_BurnedInAnnotation);
  ImageIdentity image{dicom::stringValue(*ds, DCM_Manufacturer), dicom::stringValue(*ds, DCM_ManufacturerModelName),
                      dicom::stringValue(*ds, DCM_Modality)};
  Uint16 rows = 0, cols = 0;
  ds->findAndGetUint16(DCM_Rows, rows);
  ds->findAndGetUint16(DCM_Columns, cols);
  image.rows = rows;
  image.columns = cols;
  const bool hasPixels = ds->tagExists(DCM_PixelData);
  const bool suspect = burned == "YES" || (image.modality == "US" && burned != "NO");
  const bool cleaning = hasPixels && settings_.options.count(Option::CleanPixelData) > 0;
  // With Clean Pixel Data every image with known regions is cleaned (vendors' NO is not trusted
  // where a layout is known to carry text); without known regions a suspect image is refused.
  auto regions = cleaning ? settings_.pixels.regionsFor(image) : std::nullopt;
  if (hasPixels && suspect && !regions) {
    if (!cleaning)
      throw DeidError(burned == "YES" ? "Burned In Annotation is YES: refused without --option clean-pixel-data"
                                      : "ultrasound images carry burned-in text: refused without --option "
                                        "clean-pixel-data");
    throw DeidError("Burned In Annotation is YES and no pixel region is configured for " + image.manufacturer + " " +
                    image.model + " " + std::to_string(cols) + "x" + std::to_string(rows) + ": refused");
  }
  if (regions) {
    OFString ts;
    ff.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts);
    if (std::string(ts.c_str()) != kExplicitLittle && std::string(ts.c_str()) != "1.2.840.10008.1.2") {
      std::string error;
      ff.clear();
      if (!dicom::loadInTransferSyntax(in, ts.c_str(), kExplicitLittle, ff, error))
        throw DeidError("cannot decode the pixels to clean them: " + error);
      ds = ff.getDataset();
      ff.loadAllDataIntoMemory();
    }
    blank(*ds, *regions);
    ds->putAndInsertString(DCM_BurnedInAnnotation, "NO");
    result.pixelsCleaned = true;
  }

  Run run(settings_, pseudonyms_, *ds);
  run.item(*ds, {});
  addMethod(*ds, settings_, run.usesModifiedDates());
  for (const DcmTagKey& t : {DCM_SOPInstanceUID, DCM_StudyInstanceUID, DCM_SeriesInstanceUID}) {
    OFString v;
    ds->findAndGetOFString(t, v);
    (t == DCM_SOPInstanceUID     ? result.sopUid
     : t == DCM_StudyInstanceUID ? result.studyUid
                                 : result.seriesUid) = v.c_str();
  }
  if (result.sopUid.empty()) throw DeidError("no SOP Instance UID");
  DcmMetaInfo* meta = ff.getMetaInfo();
  meta->putAndInsertString(DCM_MediaStorageSOPInstanceUID, result.sopUid.c_str());
  for (const DcmTagKey& t :
       {DCM_SourceApplicationEntityTitle, DCM_SendingApplicationEntityTitle, DCM_ReceivingApplicationEntityTitle,
        DCM_PrivateInformationCreatorUID, DCM_PrivateInformation})
    delete meta->remove(t);
  const E_TransferSyntax xfer = result.pixelsCleaned ? EXS_LittleEndianExplicit : ds->getOriginalXfer();
  if (OFCondition c = ff.saveFile(out.c_str(), xfer == EXS_Unknown ? EXS_LittleEndianExplicit : xfer); c.bad())
    throw DeidError(std::string("cannot write ") + out.string() + ": " + c.text());
  return result;
}

}  // namespace atrium::deid
