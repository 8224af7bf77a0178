#include "worklist/mpps_store.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcjson.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/clock.h"
#include "dicom/dicom_json.h"
#include "dicom/text.h"
#include "index/sqlite_util.h"

namespace atrium::worklist {
namespace {

constexpr std::uint16_t kSuccess = 0x0000, kInvalidValue = 0x0106, kProcessingFailure = 0x0110, kDuplicate = 0x0111,
                        kNoSuchObject = 0x0112, kMissing = 0x0120, kNoLongerUpdatable = 0xC310;

// The data set as DICOM JSON in UTF-8 (DCMTK writes it; the text is converted first).
std::string toJson(const DcmDataset& in) {
  DcmDataset ds(in);
  ds.convertToUTF8();
  std::ostringstream out;
  DcmJsonFormatCompact format;
  ds.writeJson(out, format);
  std::string s = out.str();
  // DCMTK writes the members without the enclosing braces.
  auto first = s.find_first_not_of(" \n\r\t");
  if (first == std::string::npos || s[first] != '{') s = "{" + s + "}";
  return s;
}

std::string scheduledStepIds(DcmDataset& ds) {
  std::string ids;
  DcmSequenceOfItems* seq = nullptr;
  if (ds.findAndGetSequence(DCM_ScheduledStepAttributesSequence, seq).good() && seq)
    for (unsigned long i = 0; i < seq->card(); ++i) {
      auto id = dicom::stringValue(*seq->getItem(i), DCM_ScheduledProcedureStepID);
      if (!id.empty()) ids += (ids.empty() ? "" : "\\") + id;
    }
  return ids;
}

// The item's copy of the step says its state too, so that the worklist answer carries it
// (Scheduled Procedure Step Status, (0040,0020)).
void markStepInItems(sqlite3* w, const std::string& stepId, const std::string& state) {
  index::Statement q(w,
                     "SELECT DISTINCT i.pk, i.json FROM worklist_items i JOIN worklist_steps s ON s.item_pk=i.pk "
                     "WHERE s.step_id=?");
  q.bind(1, stepId);
  std::vector<std::pair<std::int64_t, std::string>> changed;
  while (q.step()) {
    auto item = nlohmann::json::parse(q.text(1), nullptr, false);
    if (!item.is_object() || !item.contains("00400100") || !item["00400100"].contains("Value")) continue;
    for (auto& step : item["00400100"]["Value"]) {
      if (!step.is_object() || !step.contains("00400009")) continue;
      const auto& id = step["00400009"];
      if (id.contains("Value") && id["Value"].is_array() && !id["Value"].empty() && id["Value"][0] == stepId)
        step["00400020"] = {{"vr", "CS"}, {"Value", {state}}};
    }
    changed.emplace_back(q.integer(0), item.dump());
  }
  index::Statement up(w, "UPDATE worklist_items SET json=? WHERE pk=?");
  for (const auto& [pk, json] : changed) {
    up.bind(1, json).bind(2, pk);
    up.step();
    up.reset();
  }
}

// The scheduled steps this performed step does, as the step's status says.
void updateWorklist(sqlite3* w, const std::string& ids, const std::string& status) {
  std::string id;
  for (char c : ids + '\\') {
    if (c != '\\') {
      id += c;
      continue;
    }
    if (!id.empty()) {
      if (status == "COMPLETED") {
        index::Statement del(w, "DELETE FROM worklist_steps WHERE step_id=?");
        del.bind(1, id);
        del.step();
      } else {
        const std::string state = status == "IN PROGRESS" ? "STARTED" : status;
        markStepInItems(w, id, state);
        index::Statement up(w, "UPDATE worklist_steps SET status=? WHERE step_id=?");
        up.bind(1, state).bind(2, id);
        up.step();
      }
    }
    id.clear();
  }
}

bool validStatus(const std::string& s) { return s == "IN PROGRESS" || s == "COMPLETED" || s == "DISCONTINUED"; }

}  // namespace

std::uint16_t createPerformedStep(index::IndexDatabase& db, const std::string& uid, DcmDataset& attributes,
                                  const std::string& callingAet, std::string& error) {
  const std::string status = dicom::stringValue(attributes, DCM_PerformedProcedureStepStatus);
  if (status.empty()) {
    error = "Performed Procedure Step Status (0040,0252) is missing";
    return kMissing;
  }
  if (status != "IN PROGRESS") {
    error = "a step is created IN PROGRESS, not " + status;
    return kInvalidValue;
  }
  const std::string json = toJson(attributes), ids = scheduledStepIds(attributes);
  const std::string patient = dicom::stringValue(attributes, DCM_PatientID);
  std::string accession = dicom::stringValue(attributes, DCM_AccessionNumber);
  DcmSequenceOfItems* seq = nullptr;
  if (accession.empty() && attributes.findAndGetSequence(DCM_ScheduledStepAttributesSequence, seq).good() && seq &&
      seq->card())
    accession = dicom::stringValue(*seq->getItem(0), DCM_AccessionNumber);
  std::uint16_t result = kSuccess;
  bool ok = db.write([&](sqlite3* w) {
    index::Statement exists(w, "SELECT 1 FROM mpps WHERE sop_uid=?");
    exists.bind(1, uid);
    if (exists.step()) {
      result = kDuplicate;
      return;
    }
    const auto now = unixMillis();
    index::Statement ins(
        w,
        "INSERT INTO mpps(sop_uid, status, json, patient_id, accession, scheduled_step_ids, calling_aet, "
        "created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?)");
    ins.bind(1, uid).bind(2, status).bind(3, json).bind(4, patient).bind(5, accession).bind(6, ids);
    ins.bind(7, callingAet).bind(8, now).bind(9, now);
    ins.step();
    updateWorklist(w, ids, status);
  });
  if (!ok) {
    error = "the index refused the step";
    return kProcessingFailure;
  }
  if (result == kDuplicate) error = "a step with this SOP Instance UID exists";
  return result;
}

std::uint16_t setPerformedStep(index::IndexDatabase& db, const std::string& uid, DcmDataset& modifications,
                               std::string& error) {
  const std::string newStatus = dicom::stringValue(modifications, DCM_PerformedProcedureStepStatus);
  if (modifications.tagExists(DCM_PerformedProcedureStepStatus) && !validStatus(newStatus)) {
    error = "Performed Procedure Step Status must be IN PROGRESS, COMPLETED or DISCONTINUED";
    return kInvalidValue;
  }
  std::uint16_t result = kSuccess;
  bool ok = db.write([&](sqlite3* w) {
    index::Statement q(w, "SELECT status, json, scheduled_step_ids FROM mpps WHERE sop_uid=?");
    q.bind(1, uid);
    if (!q.step()) {
      result = kNoSuchObject;
      error = "no performed procedure step " + uid;
      return;
    }
    const std::string status = q.text(0);
    if (status != "IN PROGRESS") {
      result = kNoLongerUpdatable;
      error = "the step is " + status + " and may no longer be updated";
      return;
    }
    // The stored attributes with every attribute of the N-SET in place of its old value.
    DcmDataset current;
    dicom::fromDicomJson(nlohmann::json::parse(q.text(1)), current);
    current.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
    DcmDataset mods(modifications);
    mods.convertToUTF8();
    for (unsigned long i = 0; i < mods.card(); ++i) {
      DcmElement* e = mods.getElement(i);
      if (e->getTag() == DCM_SpecificCharacterSet) continue;
      current.insert(static_cast<DcmElement*>(e->clone()), true);
    }
    const std::string status2 = dicom::stringValue(current, DCM_PerformedProcedureStepStatus);
    const std::string ids = scheduledStepIds(current);
    index::Statement up(w, "UPDATE mpps SET status=?, json=?, scheduled_step_ids=?, updated_at=? WHERE sop_uid=?");
    up.bind(1, status2).bind(2, toJson(current)).bind(3, ids).bind(4, unixMillis()).bind(5, uid);
    up.step();
    updateWorklist(w, ids, status2);
  });
  if (!ok) {
    error = "the index refused the change";
    return kProcessingFailure;
  }
  return result;
}

std::vector<PerformedStep> listPerformedSteps(const index::IndexDatabase& db, std::size_t limit) {
  std::vector<PerformedStep> out;
  db.select(
      "SELECT sop_uid, status, patient_id, accession, scheduled_step_ids, calling_aet, json, created_at, "
      "updated_at FROM mpps ORDER BY created_at DESC LIMIT ?",
      {static_cast<std::int64_t>(limit)}, [&](const index::Statement& s) {
        out.push_back(
            {s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.integer(7), s.integer(8)});
        return true;
      });
  return out;
}

}  // namespace atrium::worklist
