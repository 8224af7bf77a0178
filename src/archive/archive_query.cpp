// The archive's answers to C-FIND, C-MOVE and C-GET, over the one query model.
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmnet/dimse.h>

#include "archive/archive.h"
#include "common/log.h"
#include "dicom/response_charset.h"
#include "dicom/sop_classes.h"
#include "index/sqlite_util.h"
#include "query/attributes.h"
#include "query/dicom_identifier.h"
#include "query/runner.h"
#include "query/sql_builder.h"
#include "worklist/mpps_store.h"
#include "worklist/worklist_item.h"
#include "worklist/worklist_store.h"

namespace atrium {
namespace {

query::Root rootOf(const std::string& sopClassUid) {
  dicom::QrRoot root = dicom::QrRoot::Study;
  dicom::queryRetrieveService(sopClassUid, &root);
  return root == dicom::QrRoot::Patient ? query::Root::Patient : query::Root::Study;
}

std::uint16_t statusFor(const query::QueryError& e) {
  return e.kind == query::QueryError::Kind::IdentifierDoesNotMatch ? STATUS_FIND_Failed_IdentifierDoesNotMatchSOPClass
                                                                   : STATUS_FIND_Failed_UnableToProcess;
}

}  // namespace

std::uint16_t Archive::find(const std::string& sopClassUid, DcmDataset& identifier,
                            const std::function<bool(DcmDataset&)>& onMatch, std::string& errorComment) {
  try {
    OFString requestedCharset;
    identifier.findAndGetOFStringArray(DCM_SpecificCharacterSet, requestedCharset);
    const std::string charset = requestedCharset.c_str();
    if (dicom::isWorklistSopClass(sopClassUid)) {
      expireWorklist();
      query::Query q = query::worklistIdentifierToQuery(identifier, config_.personNameCaseInsensitive);
      query::runQuery(*index_, q, [&](query::Match&& m) {
        auto item = worklist::itemDataset(m.worklistItem);
        DcmDataset out;
        if (!query::worklistResponse(*item, m.stepIndex, identifier, config_.personNameCaseInsensitive, out))
          return true;  // a key inside another sequence did not match: the next step
        dicom::answerInRequestedCharset(out, charset);
        return onMatch(out);
      });
      return STATUS_Success;
    }
    query::Query q = query::identifierToQuery(identifier, rootOf(sopClassUid), config_.personNameCaseInsensitive);
    query::runQuery(*index_, q, [&](query::Match&& m) {
      DcmDataset out;
      query::matchToIdentifier(m, q, config_.aet, out);
      dicom::answerInRequestedCharset(out, charset);
      return onMatch(out);
    });
    return STATUS_Success;
  } catch (const query::QueryError& e) {
    errorComment = e.what();
    return statusFor(e);
  } catch (const std::exception& e) {
    log::error("C-FIND: ", e.what());
    errorComment = "index unavailable";
    return STATUS_FIND_Refused_OutOfResources;
  }
}

// Items past their retention go before a query sees them; at most once a minute.
void Archive::expireWorklist() {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(expiryMutex_);
    if (lastExpiry_ && now - *lastExpiry_ < std::chrono::minutes(1)) return;
    lastExpiry_ = now;
  }
  int n = worklist::expireItems(*index_, config_.worklistRetentionHours, std::time(nullptr));
  if (n) log::info("worklist: ", n, " items expired");
}

std::uint16_t Archive::resolve(const std::string& sopClassUid, DcmDataset& identifier,
                               std::vector<dimse::SendItem>& items, std::string& errorComment) {
  try {
    query::Query q = query::identifierToQuery(identifier, rootOf(sopClassUid), config_.personNameCaseInsensitive);
    const query::QueryKey* unique = q.find(query::uniqueKey(q.level));
    if (!unique || unique->value.empty())
      throw query::QueryError(query::QueryError::Kind::IdentifierDoesNotMatch,
                              std::string("no unique key for the ") + query::levelName(q.level) + " level");
    query::buildSql(q);  // validates the keys against the requested level
    q.level = query::Level::Image;
    query::runQuery(*index_, q, [&](query::Match&& m) {
      items.push_back({store_->absolutePath(m.path), m.sopClassUid, m.sopUid, m.transferSyntax});
      return true;
    });
    return STATUS_Success;
  } catch (const query::QueryError& e) {
    errorComment = e.what();
    return statusFor(e);
  } catch (const index::DbError& e) {
    log::error("retrieve: index error: ", e.what());
    errorComment = "index unavailable";
    return STATUS_MOVE_Refused_OutOfResourcesNumberOfMatches;
  }
}

std::optional<dimse::PeerAddress> Archive::moveDestination(const std::string& aet) {
  auto p = peers_->find(aet);
  if (!p) return std::nullopt;
  return peerAddress(*p, config_);
}

// MPPS: the steps are kept with the worklist they report on.
std::uint16_t Archive::createStep(const std::string& sopInstanceUid, DcmDataset& attributes,
                                  const std::string& callingAet, std::string& error) {
  auto status = worklist::createPerformedStep(*index_, sopInstanceUid, attributes, callingAet, error);
  if (status == 0) log::info("MPPS ", sopInstanceUid, " from ", callingAet, ": IN PROGRESS");
  return status;
}

std::uint16_t Archive::setStep(const std::string& sopInstanceUid, DcmDataset& modifications, std::string& error) {
  auto status = worklist::setPerformedStep(*index_, sopInstanceUid, modifications, error);
  if (status == 0) log::info("MPPS ", sopInstanceUid, " updated");
  return status;
}

}  // namespace atrium
