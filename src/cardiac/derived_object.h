#pragma once
// What every object the analysis creates shares with its source images: the patient and study.
#include <string>

#include "cardiac/cine_stack.h"

class DcmDataset;
class DcmItem;

namespace atrium::cardiac {

// Copies patient and study attributes (and the character set, ISO_IR 100 when the source has
// none) from the source image; a value that does not fit its VR (a birth date of 00000000) is left
// empty rather than copied. Throws CardiacError when the source cannot be read.
void copyPatientAndStudy(const CineImage& source, DcmDataset& out);

// Appends an item to derivation's Source Image Sequence: the source's SOP Class and Instance UIDs and
// the purpose "Source image for image processing operation" (DCM 121322).
void addSourceImage(DcmItem& derivation, const std::string& sopClassUid, const std::string& sopInstanceUid);

}  // namespace atrium::cardiac
