#include "cli/command_spec.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <stdexcept>

#include "common/version.h"

namespace atrium::cli {
namespace {

// Options several commands share, spelled once.
const OptionSpec kAet{"aet", "AET", "our calling AE title (default ATRIUM)"};
const OptionSpec kCalled{"called", "AET", "the peer's AE title (default ANY-SCP)"};
const OptionSpec kTimeout{"timeout", "S", "network timeout in seconds"};
const OptionSpec kData{"data", "DIR", "the archive's data folder (default: the config's, else ./data)"};
const OptionSpec kConfig{"config", "FILE", "read the data folder and peers from this config file"};
const OptionSpec kJson{"json", "", "print JSON instead of text"};
const OptionSpec kRoot{"root", "study|patient", "query/retrieve information model (default study)"};
const OptionSpec kLevel{"level", "L", "PATIENT, STUDY, SERIES or IMAGE (default STUDY; PATIENT with --root patient)"};
// A client's TLS options (cli/peer_options.cpp).
const OptionSpec kTls{"tls", "", "associate over TLS (BCP 195: TLS 1.2 and 1.3), the peer's certificate checked"};
const OptionSpec kTlsCert{"tls-cert", "FILE", "with --tls: our certificate (PEM), for peers that require one"};
const OptionSpec kTlsKey{"tls-key", "FILE", "with --tls: our private key (PEM)"};
const OptionSpec kTlsCa{"tls-ca", "FILE", "with --tls: CA certificates to trust (PEM); repeatable"};
const OptionSpec kTlsProfile{"tls-profile", "bcp195|bcp195-nd", "with --tls: BCP 195 or its non-downgrading profile"};
const OptionSpec kKey{"key", "KEY[=VALUE]", "a matching or return key, by keyword or gggg,eeee (also -k); repeatable"};

std::vector<CommandSpec> makeCommands() {
  return {
      {"serve",
       {"[options]"},
       "run the archive: DICOM services, DICOMweb, REST and the viewer",
       {kConfig,
        kData,
        {"aet", "AET", "the archive's AE title"},
        {"dicom-port", "N", "DICOM port (0: none)"},
        {"http-port", "N", "HTTP port (0: none)"},
        {"peer", "AET@HOST:PORT", "a peer the archive may send to; repeatable"},
        {"max-associations", "N", "simultaneous DICOM associations"},
        {"tls-port", "N", "DICOM TLS port (BCP 195); the --dicom-port number: TLS only there"},
        {"tls-cert", "FILE", "the server's certificate (PEM), for DICOM TLS, HTTPS and TLS peers"},
        {"tls-key", "FILE", "its private key (PEM)"},
        {"tls-ca", "FILE", "CA certificates to trust (PEM); repeatable"},
        {"tls-require-client-cert", "", "mutual authentication: clients must present a trusted certificate"},
        {"https", "", "serve HTTP over TLS (with HSTS) with --tls-cert and --tls-key"},
        {"forward", "AET", "forward every new instance to this peer; repeatable"},
        {"user", "NAME:PASSWORD:ROLE", "an HTTP user (role viewer, editor or admin); repeatable"},
        {"no-auth", "", "serve HTTP without authentication (loopback testing only)"},
        {"verbose", "", "debug logging, with DCMTK's PDU-level detail"}}},
      {"echo",
       {"HOST:PORT [options]"},
       "C-ECHO a DICOM peer",
       {kAet, kCalled, kTimeout, kTls, kTlsCert, kTlsKey, kTlsCa, kTlsProfile}},
      {"send",
       {"HOST:PORT PATH... [options]"},
       "C-STORE files and folders to a peer",
       {kAet,
        kCalled,
        kTimeout,
        kTls,
        kTlsCert,
        kTlsKey,
        kTlsCa,
        kTlsProfile,
        {"jobs", "N", "associations in parallel (1-64)"},
        {"max-pdu", "BYTES", "largest PDU we receive"},
        {"commit", "", "ask for storage commitment after sending"},
        {"commit-only", "", "ask for storage commitment of the files without sending them"},
        {"commit-timeout", "S", "how long to wait for the commitment report (default 60)"},
        {"commit-port", "N", "port to receive the report on a separate association (default: same one)"}}},
      {"find",
       {"HOST:PORT [options]"},
       "C-FIND: query a peer",
       {kAet,
        kCalled,
        kTimeout,
        kTls,
        kTlsCert,
        kTlsKey,
        kTlsCa,
        kTlsProfile,
        kRoot,
        kLevel,
        kKey,
        kJson,
        {"recursive", "", "descend from the level asked to the instances"}}},
      {"move",
       {"HOST:PORT --dest AET --key KEY=VALUE... [options]"},
       "C-MOVE: have a peer send instances to an AE",
       {kAet,
        kCalled,
        kTimeout,
        kTls,
        kTlsCert,
        kTlsKey,
        kTlsCa,
        kTlsProfile,
        kRoot,
        kLevel,
        kKey,
        {"dest", "AET", "the move destination (required)"}}},
      {"get",
       {"HOST:PORT --out DIR --key KEY=VALUE... [options]"},
       "C-GET: retrieve instances into a folder",
       {kAet,
        kCalled,
        kTimeout,
        kTls,
        kTlsCert,
        kTlsKey,
        kTlsCa,
        kTlsProfile,
        kRoot,
        kLevel,
        kKey,
        {"out", "DIR", "where the instances are written (required)"}}},
      {"worklist",
       {"add FILE.json [--data DIR]", "list [--json] [--data DIR]", "remove ID [--data DIR]",
        "query HOST:PORT [--modality M] [--station AET] [--date YYYYMMDD] [--key KEY=VALUE]... [--json]",
        "mpps-create HOST:PORT FILE.json [--uid UID]", "mpps-set HOST:PORT UID FILE.json"},
       "manage the modality worklist, query a worklist SCP, or report performed procedure steps (MPPS)",
       {kData,
        kConfig,
        kJson,
        kAet,
        kCalled,
        kTimeout,
        kTls,
        kTlsCert,
        kTlsKey,
        kTlsCa,
        kTlsProfile,
        kKey,
        {"modality", "M", "query: scheduled modality (default: any)"},
        {"station", "AET", "query: scheduled station AE title (default: --aet)"},
        {"date", "YYYYMMDD[-YYYYMMDD]", "query: scheduled date or range (default: from 25 h ago to 24 h ahead)"},
        {"any-station", "", "query: any station"},
        {"any-date", "", "query: any date"},
        {"uid", "UID", "mpps-create: the step's SOP Instance UID (default: a new one, printed)"}}},
      {"jobs",
       {"list [--json]", "retry ID", "cancel ID"},
       "the persistent send queue (forwarding, push)",
       {kData, kConfig, kJson}},
      {"push",
       {"--study UID --to AET [options]"},
       "queue a stored study for sending to a peer",
       {kData, kConfig, {"study", "UID", "the study to send (required)"}, {"to", "AET", "the peer (required)"}}},
      {"reindex", {"--data DIR"}, "rebuild the index from the stored files", {kData}},
      {"backup",
       {"--to BACKUP [--data DIR]"},
       "a consistent snapshot of a data folder, also while it is served",
       {kData,
        kConfig,
        {"to", "BACKUP", "a new or empty folder for the backup (required)"},
        {"copy", "", "copy the files even where they could be hard-linked"}}},
      {"restore",
       {"--from BACKUP --data DIR"},
       "a backup into a new data folder (no server on it)",
       {{"from", "BACKUP", "the backup (required)"},
        {"data", "DIR", "a new or empty data folder (required)"},
        {"copy", "", "copy the files even where they could be hard-linked"}}},
      {"verify",
       {"[--data DIR] [--json]"},
       "re-hash every stored file; name missing, changed and unindexed files (exit 1 if any)",
       {kData, kConfig, kJson}},
      {"analyze",
       {"PATH... [options]", "--study UID [--data DIR] [options]", "--inputs-from LIST [options]"},
       "short-axis cine MR: LV/RV volumes, EF, LV mass; writes RT Structure Set, SEG, SR and PDF",
       {kData,
        kConfig,
        {"study", "UID", "analyse a study stored in the archive"},
        {"inputs-from", "LIST", "read the input files from LIST, one path per line"},
        {"out", "DIR", "write the DICOM results and the report here"},
        {"labels", "DIR", "also write label images (PGM) here"},
        {"segmenter", "learned|classic", "which segmenter (default learned)"},
        {"contours", "FILE", "a corrected version: the reader's contours (JSON of PUT /api/analyses/{id}) instead of a segmenter"},
        {"observer", "NAME", "with --contours: who corrected it (named in the SR)"},
        {"replaces", "SR", "with --contours: the report this version replaces (its predecessor)"},
        {"based-on", "TEXT", "with --contours: what was corrected (named in the method)"},
        kJson,
        {"verbose", "", "DCMTK's own warnings"}}},
      {"flow",
       {"PATH... [options]", "--study UID [--data DIR] [options]", "--inputs-from LIST [options]"},
       "through-plane phase-contrast flow: volumes per beat, regurgitant fraction, peak velocity, Qp/Qs",
       {kData,
        kConfig,
        {"study", "UID", "measure the phase-contrast series of a study stored in the archive"},
        {"inputs-from", "LIST", "read the input files from LIST, one path per line"},
        {"venc", "CM_S", "the velocity encoding when no header element gives it"},
        {"seed", "ROW,COL", "a point in the vessel (pixels) instead of finding it; repeatable"},
        {"out", "DIR", "write the SR, the ROI (RT Structure Set) and the PDF report here"},
        kJson}},
      {"map",
       {"PATH... [options]", "--study UID [--data DIR] [options]"},
       "T1 (MOLLI, SASHA), T2 and T2* maps, pixel by pixel; ECV; Parametric Map and colour image",
       {kData,
        kConfig,
        {"study", "UID", "map the MR images of a study stored in the archive"},
        {"kind", "molli|sasha|t2|t2star", "the fit (default: from what varies: inversion or echo times)"},
        {"t2star-model", "truncation|offset", "T2*: drop the echoes at the noise floor (default) or fit an offset"},
        {"roi", "ROW,COL[,R]", "also report the mean and SD in this disk (pixels); repeatable"},
        {"post", "PATH", "post-contrast T1 images for ECV (with --hematocrit); repeatable"},
        {"hematocrit", "H", "the blood's haematocrit (fraction) for ECV"},
        {"blood", "ROW,COL[,R]", "ECV: the blood pool (default: found automatically)"},
        {"contours", "FILE", "an RT Structure Set with the short-axis LV/RV contours: AHA segment means (repeatable;"
                             " --study uses the study's)"},
        {"out", "DIR", "write the Parametric Map and the colour image here"},
        kJson}},
      {"export",
       {"(--study UID... | --patient ID...) --to DIR [options]"},
       "studies onto media: a DICOMDIR file-set (IHE PDI layout, README.TXT) that any viewer reads",
       {kData,
        kConfig,
        {"study", "UID", "a study to export; repeatable"},
        {"patient", "ID", "every study of a patient (Patient ID); repeatable"},
        {"to", "DIR", "a new or empty folder: the root of the CD, DVD or USB stick (required)"},
        {"profile", "NAME", "STD-GEN-CD (default, uncompressed), STD-GEN-DVD-JPEG, STD-GEN-USB-JPEG, STD-GEN-USB-J2K"},
        {"deidentify", "basic", "de-identified copies on the medium (PS3.15 E.1 Basic Profile)"},
        {"option", "NAME", "with --deidentify: a profile option (as atrium deidentify); repeatable"},
        {"key-file", "F", "with --deidentify: the project key (default: the data folder's deid.key)"},
        kJson}},
      {"import",
       {"PATH... [--data DIR] [--json]"},
       "DICOMDIR media, folders, ZIP files and DICOM files into the archive (server stopped)",
       {kData, kConfig, kJson}},
      {"modify",
       {"--study UID --set KEYWORD=VALUE... [--data DIR]", "--merge-patient ID --into ID [--data DIR]",
        "--series UID --to-study UID|new [--data DIR]"},
       "correct stored data (server stopped): patient/study attributes, merge patients, move a series",
       {kData,
        kConfig,
        {"study", "UID", "the study to correct"},
        {"set", "KEYWORD=VALUE",
         "PatientName, PatientID, IssuerOfPatientID, PatientBirthDate, PatientSex, AccessionNumber, StudyID, "
         "StudyDescription or ReferringPhysicianName; repeatable"},
        {"merge-patient", "ID", "every study of this patient ..."},
        {"into", "ID", "... takes this patient's attributes"},
        {"series", "UID", "the series to move ..."},
        {"to-study", "UID|new", "... into this study, or a new one"},
        kJson}},
      {"deidentify",
       {"IN... --to DIR [--profile basic] [--option NAME]... [--key-file F]"},
       "PS3.15 Annex E de-identified copies (Basic Profile and its options)",
       {{"to", "DIR", "a new or empty folder for the copies (required)"},
        {"profile", "basic", "the Basic Application Level Confidentiality Profile (the default)"},
        {"option", "NAME",
         "retain-long-modified-dates, retain-long-full-dates, retain-patient-characteristics, retain-device-identity, "
         "retain-institution-identity, retain-uids, retain-safe-private, clean-descriptors, clean-structured-content, "
         "clean-graphics, clean-pixel-data; repeatable"},
        {"key-file", "F", "the project key: the same key gives the same UIDs, IDs and date shifts in every run"},
        {"pixel-regions", "F", "burned-in text regions per manufacturer/model/size (JSON), for clean-pixel-data"},
        {"safe-private", "CREATOR", "with retain-safe-private: a private creator whose block is kept; repeatable"},
        kJson}},
      {"hash-password", {"< PASSWORD-FILE"}, "read a password on stdin, print its hash for the config", {}},
  };
}

}  // namespace

const std::vector<CommandSpec>& allCommands() {
  static const std::vector<CommandSpec> commands = makeCommands();
  return commands;
}

const CommandSpec& commandSpec(const std::string& name) {
  for (const auto& c : allCommands())
    if (c.name == name) return c;
  throw std::out_of_range("no command " + name);
}

std::string shortUsage(const CommandSpec& spec) {
  return "atrium " + spec.name + (spec.synopsis.empty() ? "" : " " + spec.synopsis.front());
}

std::string usageText(const CommandSpec& spec) {
  std::string out;
  for (std::size_t i = 0; i < spec.synopsis.size(); ++i)
    out += (i == 0 ? "usage: " : "       ") + ("atrium " + spec.name + " " + spec.synopsis[i]) + "\n";
  if (spec.synopsis.empty()) out += "usage: atrium " + spec.name + "\n";
  return out;
}

std::string helpText(const CommandSpec& spec) {
  std::string out = usageText(spec);
  out += "\n" + spec.summary + "\n";
  if (!spec.options.empty()) out += "\noptions:\n";
  for (const auto& o : spec.options) {
    std::string left = "  --" + o.name + (o.value.empty() ? "" : " " + o.value);
    if (left.size() < 30)
      left.resize(30, ' ');
    else
      left += "\n" + std::string(30, ' ');
    out += left + o.help + "\n";
  }
  out += "  --help                      this text\n";
  return out;
}

std::string overviewText() {
  std::string out = "usage: atrium <command> [options]\n\ncommands:\n";
  for (const auto& c : allCommands()) {
    std::string left = "  " + c.name;
    left.resize(17, ' ');
    out += left + c.summary + "\n";
  }
  out += "\natrium <command> --help shows a command's options; atrium --version its version.\n";
  return out;
}

std::string versionText() {
  std::string git = gitDescription();
  return std::string("atrium ") + version() + (git.empty() ? "" : " (git " + git + ")") + ", DCMTK " +
         OFFIS_DCMTK_VERSION_STRING;
}

}  // namespace atrium::cli
