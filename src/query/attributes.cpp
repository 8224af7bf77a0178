#include "query/attributes.h"

#include <string>
#include <vector>

#include "dicom/indexed_attributes.h"

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

// Counts and other values derived from the hierarchy; the stored attributes come from the one
// table of indexed attributes (dicom/indexed_attributes.h).
const AttributeInfo kComputedAttributes[] = {
    {tag(0x0020, 0x1200), Level::Patient, "IS", kPatientStudies, Kind::Computed},
    {tag(0x0020, 0x1202), Level::Patient, "IS", kPatientSeries, Kind::Computed},
    {tag(0x0020, 0x1204), Level::Patient, "IS", kPatientInstances, Kind::Computed},
    {tag(0x0008, 0x0061), Level::Study, "CS", kModalities, Kind::ModalitiesInStudy},
    {tag(0x0008, 0x0062), Level::Study, "UI", kSopClasses, Kind::Computed},
    {tag(0x0020, 0x1206), Level::Study, "IS", kStudySeries, Kind::Computed},
    {tag(0x0020, 0x1208), Level::Study, "IS", kStudyInstances, Kind::Computed},
    {tag(0x0020, 0x1209), Level::Series, "IS", kSeriesInstances, Kind::Computed},
};

// The indexed attributes as columns of the query's tables (aliases p, st, se, i). The Specific
// Character Set is the response's own, never a stored one.
const std::vector<AttributeInfo>& storedAttributes() {
  static const std::vector<std::string> expressions = [] {
    std::vector<std::string> out;
    for (const auto& a : dicom::indexedAttributes()) {
      const char* alias = a.level == dicom::RecordLevel::Patient  ? "p."
                          : a.level == dicom::RecordLevel::Study  ? "st."
                          : a.level == dicom::RecordLevel::Series ? "se."
                                                                  : "i.";
      out.push_back(alias + std::string(a.column));
    }
    return out;
  }();
  static const std::vector<AttributeInfo> table = [] {
    std::vector<AttributeInfo> out;
    const auto& all = dicom::indexedAttributes();
    for (std::size_t n = 0; n < all.size(); ++n) {
      const auto& a = all[n];
      if (a.tag() == tag(0x0008, 0x0005)) continue;
      Level level = a.level == dicom::RecordLevel::Patient  ? Level::Patient
                    : a.level == dicom::RecordLevel::Study  ? Level::Study
                    : a.level == dicom::RecordLevel::Series ? Level::Series
                                                            : Level::Image;
      out.push_back({a.tag(), level, a.vr, expressions[n].c_str(), Kind::Column});
    }
    return out;
  }();
  return table;
}

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
  if (sequence != 0) return nullptr;
  for (const auto& a : storedAttributes())
    if (a.tag == t) return &a;
  return lookup(kComputedAttributes, t);
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
