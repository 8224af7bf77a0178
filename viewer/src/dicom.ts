// Reading the DICOM JSON model (PS3.18 F.2) that QIDO-RS and /metadata return.
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

export function values(ds: DicomJson | undefined, tag: string): unknown[] {
  return (ds && ds[tag] && ds[tag].Value) || [];
}
export function str(ds: DicomJson | undefined, tag: string): string {
  const v = values(ds, tag)[0];
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return ((v as Record<string, string>).Alphabetic || "") as string;
  return String(v);
}
export function num(ds: DicomJson | undefined, tag: string, i = 0): number | undefined {
  const v = values(ds, tag)[i];
  if (v === undefined || v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
export function nums(ds: DicomJson | undefined, tag: string): number[] {
  return values(ds, tag).map(Number);
}
export function items(ds: DicomJson | undefined, tag: string): DicomJson[] {
  return values(ds, tag) as DicomJson[];
}

export const SOP = {
  rtStruct: "1.2.840.10008.5.1.4.1.1.481.3",
  seg: "1.2.840.10008.5.1.4.1.1.66.4",
  gsps: "1.2.840.10008.5.1.4.1.1.11.1",
  parametricMap: "1.2.840.10008.5.1.4.1.1.30",
};

export const T = {
  studyUid: "0020000D", seriesUid: "0020000E", sopUid: "00080018", sopClass: "00080016",
  patientName: "00100010", patientId: "00100020", studyDate: "00080020", accession: "00080050",
  modalities: "00080061", modality: "00080060", studyDescription: "00081030", seriesDescription: "0008103E",
  seriesNumber: "00200011", instances: "00201209", studyInstances: "00201208", instanceNumber: "00200013",
  frames: "00280008", rows: "00280010", columns: "00280011", ipp: "00200032", iop: "00200037",
  pixelSpacing: "00280030", triggerTime: "00181060", windowCenter: "00281050", windowWidth: "00281051",
  bitsStored: "00280101", sliceThickness: "00180050", pixelData: "7FE00010",
};

// Names for the tag browser: the common ones (a full dictionary is not worth its weight here).
export const TAG_NAMES: Record<string, string> = {
  "00080005": "SpecificCharacterSet", "00080008": "ImageType", "00080016": "SOPClassUID", "00080018": "SOPInstanceUID",
  "00080020": "StudyDate", "00080021": "SeriesDate", "00080030": "StudyTime", "00080050": "AccessionNumber",
  "00080060": "Modality", "00080070": "Manufacturer", "00080090": "ReferringPhysicianName",
  "00081030": "StudyDescription", "0008103E": "SeriesDescription", "00100010": "PatientName", "00100020": "PatientID",
  "00100030": "PatientBirthDate", "00100040": "PatientSex", "00101020": "PatientSize", "00101030": "PatientWeight",
  "00180050": "SliceThickness", "00180080": "RepetitionTime", "00180081": "EchoTime", "00181060": "TriggerTime",
  "00185100": "PatientPosition", "0020000D": "StudyInstanceUID", "0020000E": "SeriesInstanceUID",
  "00200011": "SeriesNumber", "00200013": "InstanceNumber", "00200032": "ImagePositionPatient",
  "00200037": "ImageOrientationPatient", "00200052": "FrameOfReferenceUID", "00201041": "SliceLocation",
  "00280002": "SamplesPerPixel", "00280004": "PhotometricInterpretation", "00280008": "NumberOfFrames",
  "00280010": "Rows", "00280011": "Columns", "00280030": "PixelSpacing", "00280100": "BitsAllocated",
  "00280101": "BitsStored", "00280102": "HighBit", "00280103": "PixelRepresentation", "00281050": "WindowCenter",
  "00281051": "WindowWidth", "00281052": "RescaleIntercept", "00281053": "RescaleSlope", "7FE00010": "PixelData",
};
