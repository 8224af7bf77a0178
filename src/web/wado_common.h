#pragma once
// Pieces WADO-RS and WADO-URI share: transfer syntax negotiation for application/dicom, and
// streaming instances as a multipart/related body.
#include <string>
#include <vector>

#include "web/instance_lookup.h"

namespace httplib {
struct Response;
}

namespace atrium::web {

constexpr const char* kExplicitLittleEndian = "1.2.840.10008.1.2.1";

// From an Accept header: false when the client takes no application/dicom; ts is the syntax it
// wants ("*" = as stored), Explicit VR Little Endian by default (PS3.18 8.7.3.5).
bool acceptedDicomSyntax(const std::string& acceptHeader, std::string& ts);

// Streams the instances as multipart/related; type="application/dicom" parts, each in ts ("*":
// as stored; the stored bytes whenever ts is the stored syntax), read from disk piece by piece.
void streamInstances(httplib::Response& res, std::vector<StoredInstance> items, const std::string& ts);

}  // namespace atrium::web
