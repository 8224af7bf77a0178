#include "dicom/indexed_attributes.h"

namespace atrium::dicom {

// A field of the record, as a plain function (the table's rows stay aggregates).
#define FIELD(path) [](InstanceRecord& r) -> std::string& { return r.path; }

const std::vector<IndexedAttribute>& indexedAttributes() {
  using L = RecordLevel;
  using R = ReadAs;
  static const std::vector<IndexedAttribute> table = {
      // patients
      {0x0010, 0x0020, "PatientID", "LO", L::Patient, "patient_id", R::Text, FIELD(patient.patientId)},
      {0x0010, 0x0021, "IssuerOfPatientID", "LO", L::Patient, "issuer", R::Text, FIELD(patient.issuerOfPatientId)},
      {0x0010, 0x0010, "PatientName", "PN", L::Patient, "name", R::PersonName, FIELD(patient.patientName)},
      {0x0010, 0x0030, "PatientBirthDate", "DA", L::Patient, "birth_date", R::Plain, FIELD(patient.birthDate)},
      {0x0010, 0x0040, "PatientSex", "CS", L::Patient, "sex", R::Plain, FIELD(patient.sex)},
      // studies
      {0x0020, 0x000D, "StudyInstanceUID", "UI", L::Study, "study_uid", R::Uid, FIELD(study.studyInstanceUid)},
      {0x0008, 0x0020, "StudyDate", "DA", L::Study, "study_date", R::Plain, FIELD(study.studyDate)},
      {0x0008, 0x0030, "StudyTime", "TM", L::Study, "study_time", R::Plain, FIELD(study.studyTime)},
      {0x0008, 0x0050, "AccessionNumber", "SH", L::Study, "accession", R::Text, FIELD(study.accessionNumber)},
      {0x0020, 0x0010, "StudyID", "SH", L::Study, "study_id", R::Text, FIELD(study.studyId)},
      {0x0008, 0x1030, "StudyDescription", "LO", L::Study, "description", R::Text, FIELD(study.studyDescription)},
      {0x0008, 0x0090, "ReferringPhysicianName", "PN", L::Study, "referring_physician", R::PersonName,
       FIELD(study.referringPhysicianName)},
      // series
      {0x0020, 0x000E, "SeriesInstanceUID", "UI", L::Series, "series_uid", R::Uid, FIELD(series.seriesInstanceUid)},
      {0x0008, 0x0060, "Modality", "CS", L::Series, "modality", R::Plain, FIELD(series.modality)},
      {0x0020, 0x0011, "SeriesNumber", "IS", L::Series, "series_number", R::Plain, FIELD(series.seriesNumber)},
      {0x0008, 0x103E, "SeriesDescription", "LO", L::Series, "description", R::Text, FIELD(series.seriesDescription)},
      {0x0018, 0x0015, "BodyPartExamined", "CS", L::Series, "body_part", R::Text, FIELD(series.bodyPartExamined)},
      {0x0008, 0x0021, "SeriesDate", "DA", L::Series, "series_date", R::Plain, FIELD(series.seriesDate)},
      {0x0008, 0x0031, "SeriesTime", "TM", L::Series, "series_time", R::Plain, FIELD(series.seriesTime)},
      {0x0018, 0x1030, "ProtocolName", "LO", L::Series, "protocol_name", R::Text, FIELD(series.protocolName)},
      {0x0020, 0x0052, "FrameOfReferenceUID", "UI", L::Series, "frame_of_reference_uid", R::Uid,
       FIELD(series.frameOfReferenceUid)},
      // instances
      {0x0008, 0x0018, "SOPInstanceUID", "UI", L::Instance, "sop_uid", R::Uid, FIELD(instance.sopInstanceUid)},
      {0x0008, 0x0016, "SOPClassUID", "UI", L::Instance, "sop_class_uid", R::Uid, FIELD(instance.sopClassUid)},
      {0x0020, 0x0013, "InstanceNumber", "IS", L::Instance, "instance_number", R::Plain,
       FIELD(instance.instanceNumber)},
      {0x0028, 0x0008, "NumberOfFrames", "IS", L::Instance, "number_of_frames", R::Plain,
       FIELD(instance.numberOfFrames)},
      {0x0028, 0x0010, "Rows", "US", L::Instance, "rows_", R::UnsignedShort, FIELD(instance.rows)},
      {0x0028, 0x0011, "Columns", "US", L::Instance, "columns_", R::UnsignedShort, FIELD(instance.columns)},
      {0x0008, 0x0005, "SpecificCharacterSet", "CS", L::Instance, "specific_character_set", R::Special,
       FIELD(instance.specificCharacterSet)},
      // The stored file's transfer syntax, matched as Available Transfer Syntax UID (0008,3002).
      {0x0008, 0x3002, "TransferSyntaxUID", "UI", L::Instance, "transfer_syntax", R::Special, FIELD(transferSyntaxUid)},
  };
  return table;
}

#undef FIELD

const IndexedAttribute* indexedAttribute(const std::string& keyword) {
  for (const auto& a : indexedAttributes())
    if (keyword == a.keyword) return &a;
  return nullptr;
}

}  // namespace atrium::dicom
