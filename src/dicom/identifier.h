#pragma once
// The bridge between DICOM query identifiers (DCMTK data sets) and the query model.
#include <string>

#include "query/query.h"

class DcmDataset;

namespace atrium::dicom {

// Decode an identifier (values to UTF-8 from its Specific Character Set). Throws
// query::QueryError when (0008,0052) is missing or unknown.
query::Query identifierToQuery(DcmDataset& identifier, query::Root root, bool personNameCaseInsensitive);

// A response identifier: every requested key (empty where the index holds nothing), UTF-8.
void matchToIdentifier(const query::Match& match, const query::Query& query, const std::string& retrieveAet,
                       DcmDataset& out);

}  // namespace atrium::dicom
