#pragma once
// Association policy: who may connect and which presentation contexts are accepted.
// Pure functions over plain strings so they are testable without a network.
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace atrium::dimse {

enum class AssociationRejection { None, CallingAeNotRecognized, CalledAeNotRecognized, TooManyAssociations };

// listenerAets: the called AE titles of the port it came in on (empty: the archive's "aet").
AssociationRejection checkAssociation(const Config& config, const std::string& callingAet, const std::string& calledAet,
                                      int activeAssociations, const std::vector<std::string>& listenerAets = {});

enum class ContextDecision { Accept, AbstractSyntaxNotSupported, TransferSyntaxesNotSupported };

struct ContextResult {
  ContextDecision decision;
  std::string transferSyntax;
};

// One proposed presentation context: accept storage classes and Verification.
// onlyImplicit (accept_only_implicit): every accepted context in Implicit VR Little Endian.
ContextResult negotiateContext(const std::string& abstractSyntax, const std::vector<std::string>& proposed,
                               bool onlyImplicit = false);

}  // namespace atrium::dimse
