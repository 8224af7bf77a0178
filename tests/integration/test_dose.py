"""Radiation dose: CT and X-ray dose SRs (TID 10011 / 10001) built here are read on arrival; GET
/api/dose gives per event CTDIvol, DLP, scan length and protocol (DAP and reference point dose for
X-ray) exactly as the reports say, totals per study and cumulative per patient; a study above a
configured notification level (NEMA XR 25 style) raises one alert; a report sent again counts once."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import AtriumServer, check, cleanup, main, run, tempdir  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian  # noqa: E402

DOSE_SR = "1.2.840.10008.5.1.4.1.1.88.67"
ROOT = "1.2.826.0.1.3680043.9.7777.21"


def code(value, meaning, scheme="DCM"):
    c = Dataset()
    c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, scheme, meaning
    return c


def item(value_type, concept, rel="CONTAINS", **kw):
    i = Dataset()
    i.RelationshipType, i.ValueType = rel, value_type
    i.ConceptNameCodeSequence = Sequence([concept])
    if value_type == "CONTAINER":
        i.ContinuityOfContent = "SEPARATE"
        i.ContentSequence = Sequence(kw.get("children", []))
    elif value_type == "TEXT":
        i.TextValue = kw["text"]
    elif value_type == "NUM":
        mv = Dataset()
        mv.NumericValue = kw["value"]
        mv.MeasurementUnitsCodeSequence = Sequence([code(kw["unit"], kw["unit"], "UCUM")])
        i.MeasuredValueSequence = Sequence([mv])
    return i


def ct_event(protocol, ctdivol, dlp, length):
    return item("CONTAINER", code("113819", "CT Acquisition"), children=[
        item("TEXT", code("125203", "Acquisition Protocol"), text=protocol),
        item("CONTAINER", code("113822", "CT Acquisition Parameters"), children=[
            item("NUM", code("113825", "Scan Length"), value=str(length), unit="mm")]),
        item("CONTAINER", code("113829", "CT Dose"), children=[
            item("NUM", code("113830", "Mean CTDIvol"), value=str(ctdivol), unit="mGy"),
            item("NUM", code("113838", "DLP"), value=str(dlp), unit="mGy.cm")])])


def xray_event(protocol, dap, dose_rp):
    return item("CONTAINER", code("113706", "Irradiation Event X-Ray Data"), children=[
        item("TEXT", code("125203", "Acquisition Protocol"), text=protocol),
        item("NUM", code("122130", "Dose Area Product"), value=str(dap), unit="Gy.m2"),
        item("NUM", code("113738", "Dose (RP)"), value=str(dose_rp), unit="Gy")])


def dose_sr(path, sop, study, date, events, template="10011"):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = DOSE_SR, sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, study + ".99"
    ds.PatientName, ds.PatientID, ds.StudyDate, ds.Modality = "Dose^Patient", "DOSE-1", date, "SR"
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = Sequence([code("113701", "X-Ray Radiation Dose Report")])
    ds.ContinuityOfContent = "SEPARATE"
    tpl = Dataset()
    tpl.MappingResource, tpl.TemplateIdentifier = "DCMR", template
    ds.ContentTemplateSequence = Sequence([tpl])
    ds.ContentSequence = Sequence(events)
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID, fm.MediaStorageSOPInstanceUID = DOSE_SR, sop
    fm.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = fm
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return path


def test_dose_reports_read_on_arrival():
    work = tempdir("dose")
    try:
        head = dose_sr(os.path.join(work, "head.dcm"), ROOT + ".1.1", ROOT + ".1", "20261101",
                       [ct_event("Routine Head", 55.2, 980.5, 160), ct_event("Routine Head", 54.8, 310.25, 50)])
        chest = dose_sr(os.path.join(work, "chest.dcm"), ROOT + ".2.1", ROOT + ".2", "20261120",
                        [ct_event("Chest CTA", 12.5, 450.0, 350)])
        cath = dose_sr(os.path.join(work, "cath.dcm"), ROOT + ".3.1", ROOT + ".3", "20261125",
                       [xray_event("Coronary", 0.0031, 0.41), xray_event("Coronary", 0.0012, 0.16)], template="10001")
        cfg = {"dose_notification_levels": [{"protocol": "*head*", "dlp_mgycm": 1000, "ctdivol_mgy": 80},
                                            {"protocol": "Chest*", "ctdivol_mgy": 30}]}
        with AtriumServer(os.path.join(work, "data"), http=True, config=cfg, extra_args=["--user", "v:pw:viewer"]) as srv:
            run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), head, chest, cath], check_rc=0)
            run(["storescu", "-aec", "ATRIUM", "127.0.0.1", str(srv.port), head], check_rc=0)  # again: counted once
            st, d, _ = srv.http("GET", "/api/dose?patient=DOSE-1", auth=("v", "pw"))
            check(st == 200 and [s["study_uid"] for s in d["studies"]] == [ROOT + ".1", ROOT + ".2", ROOT + ".3"], d)
            h = d["studies"][0]
            check([(e["protocol"], e["ctdivol_mgy"], e["dlp_mgycm"], e["scan_length_mm"]) for e in h["events"]] ==
                  [("Routine Head", 55.2, 980.5, 160.0), ("Routine Head", 54.8, 310.25, 50.0)], h["events"])
            check(abs(h["total_dlp_mgycm"] - 1290.75) < 1e-9, h["total_dlp_mgycm"])
            x = d["studies"][2]
            check([(e["kind"], e["dap_gym2"], e["dose_rp_gy"]) for e in x["events"]] ==
                  [("XRAY", 0.0031, 0.41), ("XRAY", 0.0012, 0.16)], x["events"])
            check(abs(x["total_dap_gym2"] - 0.0043) < 1e-12 and x["events"][0]["ctdivol_mgy"] is None, x)
            check(abs(d["cumulative_dlp_mgycm"] - 1740.75) < 1e-9, d["cumulative_dlp_mgycm"])
            # One alert: the head study's DLP (1290.75 > 1000); CTDIvol 55.2 < 80, the chest's 12.5 < 30.
            check([(a["study_uid"], a["quantity"], a["value"], a["level"]) for a in d["alerts"]] ==
                  [(ROOT + ".1", "DLP", 1290.75, 1000.0)], d["alerts"])
            check("dose notification" in srv.log_text(), "the alert is logged")
            st, d2, _ = srv.http("GET", "/api/dose?patient=DOSE-1&from=20261115", auth=("v", "pw"))
            check(st == 200 and len(d2["studies"]) == 2 and abs(d2["cumulative_dlp_mgycm"] - 450.0) < 1e-9, d2)
            st, e, _ = srv.http("GET", "/api/dose", auth=("v", "pw"))
            check(st == 400 and "patient" in e["error"], (st, e))
            st, e, _ = srv.http("GET", "/api/dose?patient=DOSE-1&from=2026-11", auth=("v", "pw"))
            check(st == 400, (st, e))
            st, none, _ = srv.http("GET", "/api/dose?patient=NOBODY", auth=("v", "pw"))
            check(st == 200 and none["studies"] == [] and none["cumulative_dlp_mgycm"] == 0, none)
        bad = AtriumServer(os.path.join(work, "bad"), config={"dose_notification_levels": [{"protocol": "x"}]})
        try:
            bad.start()
            check(False, "a level without a value must be refused")
        except Exception:
            check("needs a positive 'dlp_mgycm' or 'ctdivol_mgy'" in bad.log_text(), bad.log_text()[-300:])
        finally:
            bad.stop()
    finally:
        cleanup(work)


if __name__ == "__main__":
    main([test_dose_reports_read_on_arrival])
