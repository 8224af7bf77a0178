#include "query/attributes.h"

namespace atrium::query {
namespace {

// Counts are subqueries over the hierarchy indexes; cheap per returned row.
constexpr const char* kStudySeries = "(SELECT count(*) FROM series x WHERE x.study_pk=st.pk)";
constexpr const char* kStudyInstances =
    "(SELECT count(*) FROM instances x JOIN series y ON y.pk=x.series_pk WHERE y.study_pk=st.pk)";
constexpr const char* kSeriesInstances = "(SELECT count(*) FROM instances x WHERE x.series_pk=se.pk)";
constexpr const char* kPatientStudies = "(SELECT count(*) FROM studies x WHERE x.patient_pk=p.pk)";
constexpr const char* kPatientSeries =
    "(SELECT count(*) FROM series x JOIN studies y ON y.pk=x.study_pk WHERE y.patient_pk=p.pk)";
constexpr const char* kPatientInstances =
    "(SELECT count(*) FROM instances x JOIN series y ON y.pk=x.series_pk JOIN studies z ON z.pk=y.study_pk "
    "WHERE z.patient_pk=p.pk)";
constexpr const char* kModalities =
    "(SELECT replace(group_concat(DISTINCT x.modality), ',', '\\') FROM series x WHERE x.study_pk=st.pk)";
constexpr const char* kSopClasses =
    "(SELECT replace(group_concat(DISTINCT x.sop_class_uid), ',', '\\') FROM instances x JOIN series y "
    "ON y.pk=x.series_pk WHERE y.study_pk=st.pk)";

const AttributeInfo kAttributes[] = {
    // Patient
    {tag(0x0010, 0x0010), Level::Patient, "PN", "p.name", Kind::Column},
    {tag(0x0010, 0x0020), Level::Patient, "LO", "p.patient_id", Kind::Column},
    {tag(0x0010, 0x0021), Level::Patient, "LO", "p.issuer", Kind::Column},
    {tag(0x0010, 0x0030), Level::Patient, "DA", "p.birth_date", Kind::Column},
    {tag(0x0010, 0x0040), Level::Patient, "CS", "p.sex", Kind::Column},
    {tag(0x0020, 0x1200), Level::Patient, "IS", kPatientStudies, Kind::Computed},
    {tag(0x0020, 0x1202), Level::Patient, "IS", kPatientSeries, Kind::Computed},
    {tag(0x0020, 0x1204), Level::Patient, "IS", kPatientInstances, Kind::Computed},
    // Study
    {tag(0x0020, 0x000D), Level::Study, "UI", "st.study_uid", Kind::Column},
    {tag(0x0008, 0x0020), Level::Study, "DA", "st.study_date", Kind::Column},
    {tag(0x0008, 0x0030), Level::Study, "TM", "st.study_time", Kind::Column},
    {tag(0x0008, 0x0050), Level::Study, "SH", "st.accession", Kind::Column},
    {tag(0x0020, 0x0010), Level::Study, "SH", "st.study_id", Kind::Column},
    {tag(0x0008, 0x1030), Level::Study, "LO", "st.description", Kind::Column},
    {tag(0x0008, 0x0090), Level::Study, "PN", "st.referring_physician", Kind::Column},
    {tag(0x0008, 0x0061), Level::Study, "CS", kModalities, Kind::ModalitiesInStudy},
    {tag(0x0008, 0x0062), Level::Study, "UI", kSopClasses, Kind::Computed},
    {tag(0x0020, 0x1206), Level::Study, "IS", kStudySeries, Kind::Computed},
    {tag(0x0020, 0x1208), Level::Study, "IS", kStudyInstances, Kind::Computed},
    // Series
    {tag(0x0020, 0x000E), Level::Series, "UI", "se.series_uid", Kind::Column},
    {tag(0x0008, 0x0060), Level::Series, "CS", "se.modality", Kind::Column},
    {tag(0x0020, 0x0011), Level::Series, "IS", "se.series_number", Kind::Column},
    {tag(0x0008, 0x103E), Level::Series, "LO", "se.description", Kind::Column},
    {tag(0x0018, 0x0015), Level::Series, "CS", "se.body_part", Kind::Column},
    {tag(0x0008, 0x0021), Level::Series, "DA", "se.series_date", Kind::Column},
    {tag(0x0008, 0x0031), Level::Series, "TM", "se.series_time", Kind::Column},
    {tag(0x0018, 0x1030), Level::Series, "LO", "se.protocol_name", Kind::Column},
    {tag(0x0020, 0x0052), Level::Series, "UI", "se.frame_of_reference_uid", Kind::Column},
    {tag(0x0020, 0x1209), Level::Series, "IS", kSeriesInstances, Kind::Computed},
    // Image
    {tag(0x0008, 0x0018), Level::Image, "UI", "i.sop_uid", Kind::Column},
    {tag(0x0008, 0x0016), Level::Image, "UI", "i.sop_class_uid", Kind::Column},
    {tag(0x0020, 0x0013), Level::Image, "IS", "i.instance_number", Kind::Column},
    {tag(0x0028, 0x0008), Level::Image, "IS", "i.number_of_frames", Kind::Column},
    {tag(0x0028, 0x0010), Level::Image, "US", "i.rows_", Kind::Column},
    {tag(0x0028, 0x0011), Level::Image, "US", "i.columns_", Kind::Column},
    {tag(0x0008, 0x3002), Level::Image, "UI", "i.transfer_syntax", Kind::Column},
};

// Modality Worklist (PS3.4 K.6.1.2): the item (w) and the scheduled procedure step (s) columns.
const AttributeInfo kWorklistItemAttributes[] = {
    {tag(0x0008, 0x0050), Level::Worklist, "SH", "w.accession", Kind::Column},
    {tag(0x0008, 0x0090), Level::Worklist, "PN", "w.referring_physician", Kind::Column},
    {tag(0x0010, 0x0010), Level::Worklist, "PN", "w.patient_name", Kind::Column},
    {tag(0x0010, 0x0020), Level::Worklist, "LO", "w.patient_id", Kind::Column},
    {tag(0x0010, 0x0021), Level::Worklist, "LO", "w.issuer", Kind::Column},
    {tag(0x0010, 0x0030), Level::Worklist, "DA", "w.birth_date", Kind::Column},
    {tag(0x0010, 0x0040), Level::Worklist, "CS", "w.sex", Kind::Column},
    {tag(0x0020, 0x000D), Level::Worklist, "UI", "w.study_uid", Kind::Column},
    {tag(0x0032, 0x1032), Level::Worklist, "PN", "w.requesting_physician", Kind::Column},
    {tag(0x0038, 0x0010), Level::Worklist, "LO", "w.admission_id", Kind::Column},
    {tag(0x0040, 0x1001), Level::Worklist, "SH", "w.requested_procedure_id", Kind::Column},
    {tag(0x0040, 0x1003), Level::Worklist, "SH", "w.priority", Kind::Column},
};
const AttributeInfo kWorklistStepAttributes[] = {
    {tag(0x0008, 0x0060), Level::Worklist, "CS", "s.modality", Kind::Column},
    {tag(0x0040, 0x0001), Level::Worklist, "AE", "s.station_aet", Kind::Column},
    {tag(0x0040, 0x0002), Level::Worklist, "DA", "s.start_date", Kind::Column},
    {tag(0x0040, 0x0003), Level::Worklist, "TM", "s.start_time", Kind::Column},
    {tag(0x0040, 0x0004), Level::Worklist, "DA", "s.end_date", Kind::Column},
    {tag(0x0040, 0x0005), Level::Worklist, "TM", "s.end_time", Kind::Column},
    {tag(0x0040, 0x0006), Level::Worklist, "PN", "s.performing_physician", Kind::Column},
    {tag(0x0040, 0x0009), Level::Worklist, "SH", "s.step_id", Kind::Column},
    {tag(0x0040, 0x0010), Level::Worklist, "SH", "s.station_name", Kind::Column},
    {tag(0x0040, 0x0011), Level::Worklist, "SH", "s.location", Kind::Column},
    {tag(0x0040, 0x0020), Level::Worklist, "CS", "s.status", Kind::Column},
};

template <std::size_t N>
const AttributeInfo* lookup(const AttributeInfo (&table)[N], Tag t) {
  for (const auto& a : table)
    if (a.tag == t) return &a;
  return nullptr;
}

}  // namespace

const AttributeInfo* findAttribute(Level level, Tag sequence, Tag t) {
  if (level == Level::Worklist) {
    if (sequence == 0) return lookup(kWorklistItemAttributes, t);
    if (sequence == kScheduledProcedureStepSequence) return lookup(kWorklistStepAttributes, t);
    return nullptr;
  }
  return sequence == 0 ? lookup(kAttributes, t) : nullptr;
}

Tag uniqueKey(Level l) {
  switch (l) {
    case Level::Patient:
      return tag(0x0010, 0x0020);
    case Level::Study:
      return tag(0x0020, 0x000D);
    case Level::Series:
      return tag(0x0020, 0x000E);
    case Level::Image:
      return tag(0x0008, 0x0018);
    case Level::Worklist:
      return 0;
  }
  return 0;
}

}  // namespace atrium::query
