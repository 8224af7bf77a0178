#pragma once
// Sequence matching (PS3.4 C.2.2.2.6) for the keys the index has no column for: a sequence key of
// one item matches when at least one item of the stored sequence matches every non-empty key of it.
#include <string>

class DcmItem;

namespace atrium::query {

// True when every sequence key of request with a non-empty value somewhere inside it is matched by
// source. skipLeavesOf: a sequence whose own values are already matched by the index (the worklist's
// Scheduled Procedure Step Sequence); only the sequences nested in it are checked here. Request
// values are decoded from the request's Specific Character Set; source values are UTF-8.
bool sequenceKeysMatch(DcmItem& source, DcmItem& request, bool personNameCaseInsensitive,
                       unsigned long skipLeavesOf = 0);

// One value against one key value (single value, wildcard, list of UIDs, DA/TM/DT range); both UTF-8.
bool valueMatches(const char* vr, const std::string& key, const std::string& value, bool personNameCaseInsensitive);

}  // namespace atrium::query
