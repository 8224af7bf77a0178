#pragma once
// What the index keeps of one instance: the attributes C-FIND and QIDO need, decoded to UTF-8.
#include <cstdint>
#include <string>

namespace atrium::dicom {

struct PatientAttributes {
  std::string patientId, issuerOfPatientId, patientName, birthDate, sex;
};

struct StudyAttributes {
  std::string studyInstanceUid, studyDate, studyTime, accessionNumber, studyId, studyDescription,
      referringPhysicianName;
};

struct SeriesAttributes {
  std::string seriesInstanceUid, modality, seriesNumber, seriesDescription, bodyPartExamined, seriesDate, seriesTime,
      protocolName, frameOfReferenceUid;
};

struct InstanceAttributes {
  std::string sopClassUid, sopInstanceUid, instanceNumber, numberOfFrames, rows, columns,
      specificCharacterSet;  // as found in the data set (raw defined terms)
};

struct InstanceRecord {
  PatientAttributes patient;
  StudyAttributes study;
  SeriesAttributes series;
  InstanceAttributes instance;
  std::string transferSyntaxUid;  // of the stored file
  std::string storedAttributes;   // the other top-level attributes, DICOM JSON (stored_attributes.h)
};

}  // namespace atrium::dicom
