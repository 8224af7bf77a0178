#include "media/file_set_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcddirif.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/oflog/oflog.h>
#include <dcmtk/oflog/spi/logevent.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "common/version.h"
#include "dicom/transcode.h"

namespace atrium::media {
namespace {

DicomDirInterface::E_ApplicationProfile dcmtkProfile(MediaProfile p) {
  switch (p) {
    case MediaProfile::GeneralCd:
      return DicomDirInterface::AP_GeneralPurpose;
    case MediaProfile::GeneralDvdJpeg:
      return DicomDirInterface::AP_GeneralPurposeDVDJPEG;
    case MediaProfile::UsbJpeg:
      return DicomDirInterface::AP_USBandFlashJPEG;
    case MediaProfile::UsbJpeg2000:
      return DicomDirInterface::AP_USBandFlashJPEG2000;
  }
  return DicomDirInterface::AP_GeneralPurpose;
}

// "PA000001": a prefix and a 1-based number in 8 characters (PS3.10 8.2: upper case, digits).
std::string component(const char* prefix, std::size_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%06zu", prefix, n);
  return buf;
}

// A number per distinct key, in the order first seen.
struct Numbering {
  std::map<std::string, std::size_t> numbers;
  std::size_t of(const std::string& key) { return numbers.emplace(key, numbers.size() + 1).first->second; }
};

void writeReadme(const std::filesystem::path& folder, const FileSetReport& r, const std::string& filesetId,
                 MediaProfile profile) {
  char date[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
  std::ofstream out(folder / "README.TXT", std::ios::binary);
  out << "This medium holds medical images in the DICOM format (file-set " << filesetId << ", profile "
      << profileName(profile) << ").\r\n\r\n"
      << "Contents: " << r.patients << " patient(s), " << r.studies << " study(ies), " << r.series
      << " series, " << r.written << " image(s) and other objects.\r\n\r\n"
      << "Open the file DICOMDIR with any DICOM viewer, or give this medium to your doctor or hospital:\r\n"
      << "their archive reads it. The files under DICOM/ are the images themselves.\r\n\r\n"
      << "No viewer program is included on this medium.\r\n\r\n"
      << "Written by Atrium " << atrium::version() << " on " << date << ".\r\n";
  if (!out) throw FileSetError("cannot write " + (folder / "README.TXT").string());
}

// DCMTK's DICOMDIR code says why it refuses a file only in its log ("required attribute Modality
// (0008,0060) missing in file ..."): its error messages are collected while a file-set is written,
// and the log itself is kept quiet. One file-set at a time, so that the messages are this one's.
class DcmtkErrors : public dcmtk::log4cplus::Appender {
 public:
  DcmtkErrors() : logger_(OFLog::getLogger("dcmtk.dcmdata")) {
    saved_ = logger_.getLogLevel();
    // The loggers' common appender writes to stderr; this one only collects.
    logger_.setAdditivity(false);
    logger_.setLogLevel(dcmtk::log4cplus::ERROR_LOG_LEVEL);
  }
  void attach(dcmtk::log4cplus::SharedAppenderPtr self) { logger_.addAppender(self); }
  void detach(dcmtk::log4cplus::SharedAppenderPtr self) {
    logger_.removeAppender(self);
    logger_.setAdditivity(true);
    logger_.setLogLevel(saved_);
  }
  ~DcmtkErrors() override { destructorImpl(); }
  void close() override {}
  // The messages since the last call.
  std::string take() {
    std::string s;
    for (const auto& m : messages_) s += (s.empty() ? "" : "; ") + m;
    messages_.clear();
    return s;
  }

 protected:
  void append(const dcmtk::log4cplus::spi::InternalLoggingEvent& event) override {
    messages_.push_back(event.getMessage().c_str());
  }

 private:
  OFLogger logger_;
  dcmtk::log4cplus::LogLevel saved_;
  std::vector<std::string> messages_;
};

std::mutex writingMutex;

}  // namespace

FileSetReport writeFileSet(const std::vector<MediaItem>& items, const std::filesystem::path& folder,
                           MediaProfile profile, const std::string& filesetId) {
  std::error_code ec;
  if (std::filesystem::exists(folder, ec) && !std::filesystem::is_empty(folder, ec))
    throw FileSetError(folder.string() + " is not empty: export into a new or empty folder");
  std::filesystem::create_directories(folder / "DICOM", ec);
  if (ec) throw FileSetError("cannot create " + (folder / "DICOM").string() + ": " + ec.message());

  std::lock_guard writing(writingMutex);
  auto* errors = new DcmtkErrors;
  dcmtk::log4cplus::SharedAppenderPtr errorsPtr(errors);
  errors->attach(errorsPtr);
  struct Detach {
    DcmtkErrors* e;
    dcmtk::log4cplus::SharedAppenderPtr p;
    ~Detach() { e->detach(p); }
  } detach{errors, errorsPtr};

  DicomDirInterface dir;
  dir.enableInventMode(OFTrue);  // a missing Study ID or Series Number must not lose the instance
  dir.disableBackupMode();
  const auto dicomdir = folder / "DICOMDIR";
  if (OFCondition c = dir.createNewDicomDir(dcmtkProfile(profile), dicomdir.c_str(), filesetId.c_str()); c.bad())
    throw FileSetError(std::string("cannot create the DICOMDIR: ") + c.text());

  FileSetReport report;
  Numbering patients, studies, series;
  std::set<std::string> writtenPatients, writtenStudies, writtenSeries;
  std::map<std::string, Numbering> instancesOfSeries;
  for (const auto& item : items) {
    std::filesystem::path rel = std::filesystem::path("DICOM") / component("PA", patients.of(item.patientKey)) /
                                component("ST", studies.of(item.studyUid)) /
                                component("SE", series.of(item.seriesUid)) /
                                component("IM", instancesOfSeries[item.seriesUid].of(item.sopUid));
    const auto target = folder / rel;
    std::filesystem::create_directories(target.parent_path(), ec);
    bool converted = false;
    std::string why;
    if (ec) {
      why = "cannot create " + target.parent_path().string() + ": " + ec.message();
    } else if (keepsTransferSyntax(profile, item.transferSyntax)) {
      std::filesystem::copy_file(item.file, target, std::filesystem::copy_options::overwrite_existing, ec);
      if (ec) why = "cannot copy: " + ec.message();
    } else {
      DcmFileFormat ff;
      if (dicom::loadInTransferSyntax(item.file, item.transferSyntax, kExplicitVrLittleEndian, ff, why)) {
        if (OFCondition c = ff.saveFile(target.c_str(), EXS_LittleEndianExplicit); c.bad())
          why = std::string("cannot write: ") + c.text();
        else
          converted = true;
      }
    }
    if (why.empty()) {
      errors->take();
      if (OFCondition c = dir.addDicomFile(rel.generic_string().c_str(), folder.c_str()); c.bad()) {
        std::string detail = errors->take();
        why = std::string("refused by the ") + profileName(profile) + " profile: " + (detail.empty() ? c.text() : detail);
      }
    }
    if (!why.empty()) {
      std::filesystem::remove(target, ec);
      report.failures.push_back(item.sopUid + ": " + why);
      continue;
    }
    ++report.written;
    report.transcoded += converted;
    writtenPatients.insert(item.patientKey);
    writtenStudies.insert(item.studyUid);
    writtenSeries.insert(item.seriesUid);
  }
  if (report.written == 0)
    throw FileSetError(items.empty() ? "nothing to export" : "no instance could be written: " + report.failures[0]);
  if (OFCondition c = dir.writeDicomDir(); c.bad())
    throw FileSetError(std::string("cannot write the DICOMDIR: ") + c.text() + " " + errors->take());
  report.patients = writtenPatients.size();
  report.studies = writtenStudies.size();
  report.series = writtenSeries.size();
  writeReadme(folder, report, filesetId, profile);
  return report;
}

}  // namespace atrium::media
