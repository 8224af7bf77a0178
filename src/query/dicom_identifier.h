#pragma once
// The bridge between DICOM query identifiers (DCMTK data sets) and the query model.
#include <string>

#include "query/query.h"

class DcmDataset;
class DcmItem;

namespace atrium::query {

// Decode an identifier (values to UTF-8 from its Specific Character Set). Throws
// query::QueryError when (0008,0052) is missing or unknown.
query::Query identifierToQuery(DcmDataset& identifier, query::Root root, bool personNameCaseInsensitive);

// A response identifier: every requested key (empty where the index holds nothing), UTF-8.
void matchToIdentifier(const query::Match& match, const query::Query& query, const std::string& retrieveAet,
                       DcmDataset& out);

// A Modality Worklist identifier (PS3.4 K.6.1): top-level keys and the keys inside the first item
// of the Scheduled Procedure Step Sequence (QueryKey::sequence set). No Query/Retrieve Level.
query::Query worklistIdentifierToQuery(DcmDataset& identifier, bool personNameCaseInsensitive);

// A worklist response: the requested keys (nested ones too) with the item's values, the
// Scheduled Procedure Step Sequence reduced to the step that matched; absent values empty. UTF-8.
// False (out untouched) when a key inside another sequence (Requested Procedure Code Sequence,
// the step's Scheduled Protocol Code Sequence...) does not match: the index matched the rest.
bool worklistResponse(DcmItem& item, int stepIndex, DcmDataset& request, bool personNameCaseInsensitive,
                      DcmDataset& out);

}  // namespace atrium::query
