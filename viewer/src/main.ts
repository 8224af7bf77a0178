// Atrium's viewer: #/ the study list, #/study/UID a study, #/dose/PATIENT_ID a patient's dose.
import { showPatientDose } from "./doseView";
import { showStudy } from "./studyView";
import { showStudyList } from "./studyList";

const app = document.getElementById("app")!;
const status = document.getElementById("status")!;
const setStatus = (s: string) => { status.textContent = s; };

function route(): void {
  const m = /^#\/study\/([0-9.]+)$/.exec(location.hash);
  setStatus("");
  const dose = /^#\/dose\/(.+)$/.exec(location.hash);
  if (m) showStudy(app, m[1], setStatus).catch((e) => setStatus(String(e)));
  else if (dose) showPatientDose(app, decodeURIComponent(dose[1]), setStatus).catch((e) => setStatus(String(e)));
  else showStudyList(app, setStatus);
}

window.addEventListener("hashchange", route);
document.body.tabIndex = -1;
route();
