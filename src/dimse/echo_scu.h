#pragma once
#include <string>

#include "dimse/scu_association.h"

namespace atrium::dimse {

// C-ECHO; returns the DIMSE status (0 = success). Throws std::runtime_error on association failure.
unsigned short echo(const PeerAddress& peer);

}  // namespace atrium::dimse
