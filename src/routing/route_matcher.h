#pragma once
// Which configured routes a newly stored instance takes (config "routes", `serve --forward`).
#include <string>
#include <vector>

#include "config/config.h"
#include "dicom/instance_record.h"

namespace atrium::routing {

// The destinations (peer AE titles, each once, in route order) of an instance from callingAet.
std::vector<std::string> destinationsFor(const std::vector<Route>& routes, const dicom::InstanceRecord& record,
                                         const std::string& callingAet);

// Throws ConfigError naming a match key the router does not know.
void validateRoutes(const std::vector<Route>& routes);

// DICOM wildcard match (* any run, ? one character) of one value; case-sensitive.
bool wildcardMatch(const std::string& pattern, const std::string& value);

}  // namespace atrium::routing
