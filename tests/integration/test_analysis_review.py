"""Review, correction and sign-off of a cardiac analysis over REST (issue: review and correct a
cardiac analysis). A synthetic cine is analysed by the server; GET /api/analyses/{id} gives its
results and contours; PUT of the same contours gives the same numbers (one implementation of the
measurement); an ED endocardial contour replaced by a larger one raises the EDV by exactly the added
pixels x pixel area x slice spacing; the new version's SR names the editor and its predecessor, and
its RT Structure Set, SEG and SR pass dciodvfy; earlier versions stay listed; every bad contour is a
400 naming the problem; viewers may not save or sign; a signed version has a VERIFIED SR and is never
signed again."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from atrium_testlib import ATRIUM, AtriumServer, check, cleanup, main, run, tempdir  # noqa: E402
import test_cardiac_analysis as phantom  # noqa: E402

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pydicom  # noqa: E402

EDITOR, VIEWER = ("ed", "pw"), ("v", "pw")


def inside(poly, x, y):
    """Pixel centre (x, y) inside the polygon (even-odd), as Atrium fills contours."""
    n, res = len(poly), False
    j = n - 1
    for i in range(n):
        (xi, yi), (xj, yj) = poly[i], poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            res = not res
        j = i
    return res


def pixels(poly, size):
    return {(x, y) for y in range(size) for x in range(size) if inside(poly, x, y)}


def dciodvfy_errors(path):
    v = subprocess.run(["dciodvfy", path], capture_output=True, text=True)
    return [x for x in v.stderr.splitlines() if x.startswith("Error")]


def test_review_correct_and_sign():
    tmp = tempdir("review")
    try:
        folder = os.path.join(tmp, "cine")
        phantom.write_phantom(folder, seed=6)
        config = {"analysis": {"enabled": True, "stable_s": 1, "segmenter": "classic"}}
        users = ["--user", "adm:pw:admin", "--user", "ed:pw:editor", "--user", "v:pw:viewer"]
        with AtriumServer(os.path.join(tmp, "data"), config=config, http=True, extra_args=users) as srv:
            run([ATRIUM, "send", f"127.0.0.1:{srv.port}", "--called", "ATRIUM", folder], check_rc=0)
            study = str(pydicom.dcmread(os.path.join(folder, sorted(os.listdir(folder))[0])).StudyInstanceUID)
            deadline, versions = time.time() + 120, []
            while time.time() < deadline and not versions:
                time.sleep(0.5)
                versions = srv.http("GET", f"/api/analyses?study={study}", auth=VIEWER)[1]
                versions = [v for v in versions if "id" in v]
            check(len(versions) == 1 and versions[0]["created_by"] == "automatic", f"the automatic version: {versions}")
            first = versions[0]["id"]
            st, doc, _ = srv.http("GET", f"/api/analyses/{first}", auth=VIEWER)
            check(st == 200 and doc["contours"] and {c["structure"] for c in doc["contours"]} >= {"lv_endo", "lv_epi"},
                  f"GET one version: {st}")
            results = doc["results"]
            # Regional function: the AHA segments of the phantom's wall at ED and ES.
            regional = {r["segment"]: r for r in results["regional"]}
            check(len(regional) >= 12 and all(r["ed_thickness_mm"] > 0 for r in regional.values()),
                  f"regional function: {results.get('regional_note')} {sorted(regional)}")
            # The same contours back: the same numbers.
            st, same, _ = srv.http("PUT", f"/api/analyses/{first}", body={"contours": doc["contours"]}, auth=EDITOR)
            check(st == 201 and same["replaces"] == first and same["created_by"] == "ed", f"PUT unchanged: {st} {same}")
            for k in ("lv_edv_ml", "lv_esv_ml", "lv_mass_g", "rv_edv_ml", "lv_ef_pct"):
                check(same["results"][k] == results[k], f"{k}: {same['results'][k]} vs {results[k]} (same contours)")
            # One ED endocardium replaced by a larger square: EDV rises by the added pixels.
            ed = results["ed_phase"]
            images = {}
            for f in os.listdir(folder):
                d = pydicom.dcmread(os.path.join(folder, f), stop_before_pixels=True)
                images[str(d.SOPInstanceUID)] = d
            ed_uids = {u for u, d in images.items() if abs(float(d.TriggerTime) - results["trigger_times_ms"][ed]) < 1e-3}
            contours = [dict(c) for c in doc["contours"]]
            k = next(i for i, c in enumerate(contours) if c["structure"] == "lv_endo" and c["sop_instance_uid"] in ed_uids)
            old = contours[k]["points"]
            xs, ys = [p[0] for p in old], [p[1] for p in old]
            cx, cy = round(sum(xs) / len(xs)), round(sum(ys) / len(ys))
            half = (max(xs) - min(xs)) / 2 + 3
            square = [[cx - half, cy - half], [cx + half, cy - half], [cx + half, cy + half], [cx - half, cy + half]]
            size = phantom.N
            added = len(pixels(square, size) - pixels(old, size)) - len(pixels(old, size) - pixels(square, size))
            contours[k] = dict(contours[k], points=square)
            st, edited, _ = srv.http("PUT", f"/api/analyses/{same['id']}", body={"contours": contours}, auth=EDITOR)
            check(st == 201, f"PUT edited: {st} {edited}")
            want = results["lv_edv_ml"] + added * phantom.PX * phantom.PX * results["slice_spacing_mm"] / 1000
            print(f"  EDV {results['lv_edv_ml']} -> {edited['results']['lv_edv_ml']} ml ({added} pixels added; "
                  f"expected {want:.2f})")
            check(abs(edited["results"]["lv_edv_ml"] - want) <= max(0.1, 0.01 * (want - results["lv_edv_ml"])),
                  f"EDV {edited['results']['lv_edv_ml']} vs {want:.2f}")
            # Listed newest first; the earlier versions are still there.
            listed = srv.http("GET", f"/api/analyses?study={study}", auth=VIEWER)[1]
            check([v["id"] for v in listed] == [edited["id"], same["id"], first], f"versions: {listed}")
            # The new objects: the SR names the editor and its predecessor; all dciodvfy-clean.
            with srv.db() as c:
                rows = {r[0]: r[1] for r in c.execute("SELECT sop_uid, path FROM instances")}
            store = os.path.join(srv.data_dir, "storage")
            sr_path = os.path.join(store, rows[edited["sr_uid"]])
            sr = pydicom.dcmread(sr_path)
            check(str(sr.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
                      .ReferencedSOPInstanceUID) == same["sr_uid"], "the SR names the version it replaces")
            raw_sr = open(sr_path, "rb").read()
            check(b"ed" in raw_sr and str(sr.StudyInstanceUID) == study, "observer, same study")
            check(b"AHA 1 basal anterior" in raw_sr and b"Systolic wall thickening" in raw_sr, "regional function in the SR")
            check(str(sr.SeriesInstanceUID) not in {str(pydicom.dcmread(os.path.join(store, rows[same["sr_uid"]]))
                                                        .SeriesInstanceUID)}, "a new series")
            lv_ef = next(x for x in sr.ContentSequence if x.ValueType == "CONTAINER" and "Measurement" in
                         str(x.ConceptNameCodeSequence[0].CodeMeaning))
            check(lv_ef is not None, "measurement groups present")
            # Every object of the new version (RT Structure Set, SEG, SR, PDF) passes dciodvfy.
            with srv.db() as c:
                objects = c.execute(
                    "SELECT i.path, i.sop_class_uid FROM instances i JOIN series se ON se.pk = i.series_pk "
                    "WHERE se.series_uid IN (%s)" % ",".join("?" * len(edited["output_series"])),
                    edited["output_series"]).fetchall()
            check(len(objects) == 4, f"four objects: {objects}")
            for path, cls in objects:
                errors = dciodvfy_errors(os.path.join(store, path))
                check(not errors, f"dciodvfy {cls}: {errors[:3]}")
            # The SR's values are the version's results.
            nums = {}
            def walk(items):
                for it in items:
                    if it.ValueType == "NUM":
                        nums.setdefault(str(it.ConceptNameCodeSequence[0].CodeValue),
                                        float(it.MeasuredValueSequence[0].NumericValue))
                    if "ContentSequence" in it:
                        walk(it.ContentSequence)
            walk(sr.ContentSequence)
            check(nums.get("8821-1") == edited["results"]["lv_edv_ml"] and
                  nums.get("18087-7") == edited["results"]["lv_mass_g"],
                  f"SR EDV {nums.get('8821-1')} / mass {nums.get('18087-7')} vs {edited['results']['lv_edv_ml']}")
            # Bad contours: a 400 naming the problem; a viewer may not save.
            base = doc["contours"][0]
            bad = [
                ([dict(base, points=[[-5, 3], [10, 3], [10, 10]])], "outside the"),
                ([dict(base, points=[[3, 3], [10, 3]])], "not a closed polygon"),
                ([dict(base, sop_instance_uid="1.2.3")], "not an image of the analysed cine"),
                ([dict(base, structure="la_endo")], "structure must be"),
            ]
            for contours_bad, want_msg in bad:
                st, e, _ = srv.http("PUT", f"/api/analyses/{first}", body={"contours": contours_bad}, auth=EDITOR)
                check(st == 400 and want_msg in e["error"], f"{want_msg}: {st} {e}")
            st, e, _ = srv.http("PUT", f"/api/analyses/{first}", body={"contours": doc["contours"], "ed_phase": 99},
                                auth=EDITOR)
            check(st == 400 and "ed_phase" in e["error"], f"ed_phase out of range: {st} {e}")
            check(srv.http("PUT", f"/api/analyses/{first}", body={"contours": []}, auth=VIEWER)[0] == 403, "viewer PUT")
            check(srv.http("GET", "/api/analyses/999999", auth=VIEWER)[0] == 404, "unknown version")
            # Sign-off: editors only, once; the SR verified.
            check(srv.http("POST", f"/api/analyses/{edited['id']}/sign", auth=VIEWER)[0] == 403, "viewer sign")
            st, signed, _ = srv.http("POST", f"/api/analyses/{edited['id']}/sign", body={"organization": "Cardiology"},
                                     auth=EDITOR)
            check(st == 200 and signed["signed"] and signed["signed_by"] == "ed", f"sign: {st} {signed}")
            with srv.db() as c:
                path = c.execute("SELECT path FROM instances WHERE sop_uid=?", (signed["sr_uid"],)).fetchone()[0]
            v = pydicom.dcmread(os.path.join(store, path))
            check(v.VerificationFlag == "VERIFIED" and str(v.VerifyingObserverSequence[0].VerifyingObserverName) == "ed"
                  and v.VerifyingObserverSequence[0].VerifyingOrganization == "Cardiology", "VERIFIED with the observer")
            check(not dciodvfy_errors(os.path.join(store, path)), "signed SR dciodvfy-clean")
            st, e, _ = srv.http("POST", f"/api/analyses/{edited['id']}/sign", auth=EDITOR)
            check(st == 409 and "never changed" in e["error"], f"sign again: {st} {e}")
            # A signed version is superseded by a new one, never changed.
            st, newer, _ = srv.http("PUT", f"/api/analyses/{edited['id']}", body={"contours": doc["contours"]},
                                    auth=EDITOR)
            check(st == 201 and newer["replaces"] == edited["id"] and not newer["signed"], f"supersede: {st}")
            again = srv.http("GET", f"/api/analyses/{edited['id']}", auth=VIEWER)[1]
            check(again["signed"] and again["results"]["lv_edv_ml"] == edited["results"]["lv_edv_ml"], "unchanged")
            check(srv.alive(), "the archive is up")
    finally:
        cleanup(tmp)


if __name__ == "__main__":
    main([test_review_correct_and_sign])
