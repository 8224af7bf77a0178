// Drives Atrium's viewer in headless Chromium (Debian's, through playwright-core) and checks what
// it draws: exits 1 with the failed checks listed. Arguments come from the environment:
// ATRIUM_URL, ATRIUM_USER, ATRIUM_PASSWORD, PATIENT, SHOTS (folder for screenshots).
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.VIEWER_DIR, "package.json"));
const { chromium } = require("playwright-core");

const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failures.push(what); };

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 },
    httpCredentials: { username: process.env.ATRIUM_USER, password: process.env.ATRIUM_PASSWORD } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const shot = (name) => page.screenshot({ path: path.join(process.env.SHOTS, `${name}.png`) });

  // What the image canvas shows: mean grey, pixels of the contour colour (red) and of the
  // presentation state's annotations (yellow), and a hash that changes when anything does.
  const canvas = () => page.evaluate(() => {
    const c = document.getElementById("image-canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let sum = 0, n = 0, red = 0, yellow = 0, green = 0, hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
      if (g > r + 50 && g > b + 50) green++;
      if (r > 200 && g < 70 && b < 70) red++;
      else if (r > 200 && g > 200 && b < 90) yellow++;
      else if (r === g && g === b) { sum += r; n++; }
      hash = (hash * 31 + r + 7 * g + 13 * b) | 0;
    }
    return { mean: n ? sum / n : 0, red, yellow, green, hash };
  });
  const viewer = () => page.evaluate(() => {
    const v = window.atriumViewer;
    return { slice: v.slice, slices: v.slices.length, phase: v.phase, phases: v.phases(), shown: v.stats.framesShown,
      overlays: v.stats.overlaysDrawn, playing: v.playing, win: v.win, gsps: v.gsps ? v.gsps.label : null };
  });

  await page.goto(process.env.ATRIUM_URL + "/");
  await page.fill("input[name=PatientName]", process.env.PATIENT.substring(0, 4).toLowerCase());
  await page.click("button[type=submit]");
  // The list first shows every study; the search's answer replaces it.
  await page.waitForFunction((patient) => {
    const rows = [...document.querySelectorAll("tr.study")];
    return rows.length > 0 && rows.every((r) => r.textContent.includes(patient));
  }, process.env.PATIENT, { timeout: 15000 }).catch(() => {});
  const rows = await page.$$eval("tr.study", (trs) => trs.map((t) => t.textContent));
  await page.waitForSelector("tr.mpps", { timeout: 15000 });
  const mpps = await page.textContent("#mpps");
  check(mpps.includes("SPS-V1") && mpps.includes("IN PROGRESS") && mpps.includes("VIEW-PPS"),
    `the study list shows the performed procedure step: ${mpps}`);
  check(rows.length === 1 && rows[0].includes(process.env.PATIENT), `search finds the study: ${rows}`);
  await shot("1-study-list");

  await page.click("tr.study");
  await page.waitForFunction(() => window.atriumViewer && window.atriumViewer.stats.framesShown > 0, null,
    { timeout: 20000 });
  await page.waitForTimeout(500);
  const thumbs = await page.$$eval(".series-thumb img", (imgs) => imgs.map((i) => i.complete && i.naturalWidth));
  check(thumbs.length >= 1 && thumbs.every((w) => w > 0), `series thumbnails loaded: ${thumbs}`);
  let v = await viewer();
  check(v.slices === 2 && v.phases === 8, `2 slices x 8 phases: ${JSON.stringify(v)}`);
  let c = await canvas();
  check(c.mean > 5, `an image is drawn (mean grey ${c.mean.toFixed(1)})`);
  // The newest presentation state of this image is applied: its window and its annotation.
  check(v.gsps === "NEWEST" && v.win && Math.abs(v.win.center - 300) < 1e-6, `newest GSPS applied: ${JSON.stringify(v)}`);
  check(c.yellow > 30, `GSPS annotation drawn in yellow (${c.yellow} pixels)`);
  check(c.red > 30, `RT Structure Set contour drawn in red (${c.red} pixels)`);
  check(c.green > 1000, `SEG segment drawn in green (${c.green} pixels)`);
  await shot("2-image-with-overlays");

  // Another presentation state, then none.
  const older = await page.$eval("#gsps", (sel) => [...sel.options].find((o) => o.text.includes("OLDER"))?.value);
  await page.selectOption("#gsps", older ?? "missing");
  await page.waitForTimeout(400);
  v = await viewer();
  check(v.gsps === "OLDER" && Math.abs(v.win.center - 100) < 1e-6, `older GSPS selectable: ${JSON.stringify(v)}`);
  await page.selectOption("#gsps", "");
  await page.waitForTimeout(400);
  c = await canvas();
  check(c.yellow === 0 && (await viewer()).gsps === null, `no GSPS: no annotation (${c.yellow})`);

  await page.uncheck("#overlays");
  await page.waitForTimeout(200);
  const off = await canvas();
  check(off.red === 0 && off.green === 0, "overlays off: no contour, no segment");
  await page.check("#overlays");

  // Window/level by dragging: the picture changes.
  const before = await canvas();
  const box = await page.locator("#image-canvas").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 90, { steps: 6 });
  await page.mouse.up();
  await page.waitForTimeout(600);
  const after = await canvas();
  v = await viewer();
  check(v.win && after.hash !== before.hash && Math.abs(after.mean - before.mean) > 1,
    `window drag changes the picture (mean ${before.mean.toFixed(1)} -> ${after.mean.toFixed(1)}, ${JSON.stringify(v.win)})`);
  await shot("3-after-window-drag");

  // Cine: play, the phases run and the picture changes; pause.
  // The canvas is sampled inside the page every 17 ms (not a divisor of the cine's frame period), so
  // a loaded machine's slow round trips cannot alias onto the same phase every time.
  const start = await viewer();
  await page.click("#play");
  const pictures = await page.evaluate(async () => {
    const c = document.getElementById("image-canvas");
    const seen = new Set();
    const end = performance.now() + 1400;
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 17));
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let hash = 0;
      for (let i = 0; i < d.length; i += 4) hash = (hash * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
      seen.add(hash);
    }
    return seen.size;
  });
  const playing = await viewer();
  await page.click("#play");
  check(playing.playing && playing.shown - start.shown >= 8, `cine shows frames (${playing.shown - start.shown} in 1.4 s)`);
  check(pictures >= 4, `cine changes the picture (${pictures} different pictures)`);
  check(!(await viewer()).playing, "pause stops the cine");
  await shot("4-cine");

  // The server's analysis of the study, above the tag browser.
  const analysis = await page.textContent("#analysis");
  check(analysis.includes("Ventricular function") && /LV SV \/ EF\s*[0-9.]+ ml \/ -?[0-9.]+ %/.test(analysis),
    `analysis results shown: ${analysis}`);
  const warned = await page.$$eval("#analysis .warnings li", (items) => items.map((li) => li.textContent));
  const expected = JSON.parse(process.env.ANALYSIS_WARNINGS || "[]").map((w) => `Check: ${w}`);
  check(expected.length > 0 && JSON.stringify(warned) === JSON.stringify(expected),
    `analysis warnings shown: ${JSON.stringify(warned)}, expected ${JSON.stringify(expected)}`);

  // Slices, and the tag browser.
  await page.click("#prev-slice");
  await page.waitForTimeout(300);
  check((await viewer()).slice === 0, "previous slice");
  const tags = await page.textContent("#tags");
  check(tags.includes("PatientName") && tags.includes(process.env.PATIENT), "tag browser lists the instance's attributes");
  check(errors.length === 0, `no errors in the page: ${errors}`);

  // Download: the study as a ZIP, plain and as a CD/USB file-set.
  const fetched = (id) => page.evaluate(async (id) => {
    const a = document.getElementById(id);
    const r = await fetch(a.href);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get("content-type"), magic: String.fromCharCode(b[0], b[1]),
      size: b.length, href: a.getAttribute("href") };
  }, id);
  const dl = await fetched("download");
  check(dl.status === 200 && dl.type === "application/zip" && dl.magic === "PK" && dl.size > 1000,
    `Download gives the study as a ZIP: ${JSON.stringify(dl)}`);
  const media = await fetched("download-media");
  check(media.status === 200 && media.magic === "PK" && media.href.endsWith("?media=1"),
    `Download for CD/USB gives a ZIP: ${JSON.stringify(media)}`);
  const zip = await (await context.request.get(process.env.ATRIUM_URL + dl.href)).body();

  // Import: a viewer is told that it needs the admin role; an admin imports (all already there).
  const importAs = async (p) => {
    await p.goto(process.env.ATRIUM_URL + "/");
    await p.waitForSelector("tr.study", { timeout: 15000 });
    await p.setInputFiles("#import-file", { name: "study.zip", mimeType: "application/zip", buffer: zip });
    await p.waitForFunction(() => /^imported /.test(document.getElementById("status").textContent), null,
      { timeout: 30000 });
    return p.textContent("#status");
  };
  const refused = await importAs(page);
  check(/failed: study\.zip: importing needs the admin role \(403\)/.test(refused), `viewer's import refused: ${refused}`);
  const adminContext = await browser.newContext({ httpCredentials: { username: process.env.ATRIUM_ADMIN_USER,
    password: process.env.ATRIUM_ADMIN_PASSWORD } });
  const adminPage = await adminContext.newPage();
  const imported = await importAs(adminPage);
  check(/^imported 0 new, [1-9][0-9]* already there$/.test(imported), `admin's import: ${imported}`);

  // Radiation dose per patient: the study list links to it; this patient has no dose report, DOSE-1 two.
  await page.goto(process.env.ATRIUM_URL + "/");
  await page.waitForSelector("tr.study a.dose-link", { timeout: 15000 });
  await page.click("tr.study a.dose-link");
  await page.waitForFunction(() => /no dose report/.test(document.getElementById("dose-summary")?.textContent || ""),
    null, { timeout: 15000 });
  check(/#\/dose\/VIEW1$/.test(page.url()), `the dose link opens the patient's dose view: ${page.url()}`);
  await page.goto(process.env.ATRIUM_URL + "/#/dose/DOSE-1");
  await page.waitForSelector("tr.dose-event", { timeout: 15000 });
  const dose = await page.evaluate(() => ({
    summary: document.getElementById("dose-summary").textContent,
    events: [...document.querySelectorAll("tr.dose-event")].map((t) => t.textContent),
    alerts: [...document.querySelectorAll("tr.dose-alert")].map((t) => t.textContent),
    chart: !!document.querySelector("#dose-chart polyline"),
  }));
  check(dose.summary.includes("2 studies") && dose.summary.includes("cumulative DLP 1740.8 mGy·cm"),
    `dose summary: ${dose.summary}`);
  check(dose.events.length === 3 && dose.events[0].includes("Routine Head") && dose.events[0].includes("980.50"),
    `dose events: ${JSON.stringify(dose.events)}`);
  check(dose.alerts.length === 1 && dose.alerts[0].includes("2026-11-01") && dose.alerts[0].includes("*head*") &&
    dose.alerts[0].includes("1290.75"),
    `dose alerts: ${JSON.stringify(dose.alerts)}`);
  check(dose.chart, "the cumulative DLP is plotted");
  await shot("9-dose");

  // A T1 Parametric Map: drawn from its float values, a colour bar, the value under the cursor.
  await page.goto(process.env.ATRIUM_URL + "/#/study/" + process.env.STUDY_UID);
  await page.waitForSelector(".series-thumb", { timeout: 15000 });
  const mapThumb = page.locator(".series-thumb", { hasText: "T1 (MOLLI) map (" }).filter({ hasNotText: "colour" });
  await mapThumb.first().click();
  await page.waitForSelector("#map-canvas", { timeout: 15000 });
  const bar = await page.textContent("#colour-bar");
  check(bar.includes("2000 ms") && bar.includes("0 ms"), `colour bar with its range: ${bar}`);
  const mapBox = await page.locator("#map-canvas").boundingBox();
  // The phantom's middle disk (row 48, column 48 of 96) has T1 950 ms.
  await page.mouse.move(mapBox.x + mapBox.width * 48.5 / 96, mapBox.y + mapBox.height * 48.5 / 96);
  const readout = await page.textContent("#map-value");
  const t1 = Number((/T1 (\d+) ms/.exec(readout) || [])[1]);
  check(Math.abs(t1 - 950) < 60, `the T1 under the cursor: ${readout}`);
  await page.mouse.move(mapBox.x + 3, mapBox.y + 3);
  check(/no value/.test(await page.textContent("#map-value")), "no value over the masked background");
  await shot("10-t1-map");

  // Flow: the server measures the study's phase-contrast images; a viewer may not store the results.
  await page.click("#flow");
  await page.waitForSelector("#flow-table", { timeout: 30000 });
  const flowText = await page.textContent("#flow-table");
  const flowCurves = await page.$$eval("#flow-curves polyline", (p) => p.length);
  check(flowText.includes("aorta") && flowText.includes("pulmonary artery") && flowText.includes("Qp/Qs") &&
    flowCurves === 2, `flow panel: ${flowText} (${flowCurves} curves)`);
  await page.click("#flow-store");
  await page.waitForFunction(() => /admin role \(403\)/.test(document.getElementById("status").textContent), null,
    { timeout: 15000 });
  check(true, "storing flow results as a viewer: told it needs the admin role");
  await shot("11-flow");
  // The stored flow ROI over the magnitude cine (series 20), in its colour.
  await page.locator(".series-thumb", { hasText: "MR 20 flow" }).first().click();
  await page.waitForFunction(() => window.atriumViewer.phases() === 30, null, { timeout: 15000 });
  await page.waitForTimeout(500);
  c = await canvas();
  check(c.red > 30, `the flow ROI drawn over the magnitude image (${c.red} red pixels)`);
  await shot("12-flow-roi");

  // The cardiac workspace: a viewer reviews (no editing offered); an admin drags an ED endocardial
  // point outwards and the EDV rises by the added pixels x pixel area x slice spacing, then saves.
  await page.goto(process.env.ATRIUM_URL + "/");
  await page.goto(process.env.ATRIUM_URL + "/#/study/" + process.env.STUDY_UID);
  await page.waitForFunction(() => window.atriumViewer && window.atriumViewer.phases() === 8, null, { timeout: 20000 });
  await page.waitForSelector("#review", { timeout: 20000 });
  await page.click("#review");
  await page.waitForSelector("#ws-results", { timeout: 20000 });
  check(!(await page.$("#ws-save")) && (await page.$$("#ws-grid td.has-contours")).length > 0,
    "a viewer reviews: results and the contoured images, no editing");
  const ap = await adminContext.newPage();
  await ap.goto(process.env.ATRIUM_URL + "/#/study/" + process.env.STUDY_UID);
  await ap.waitForSelector("#review", { timeout: 20000 });
  await ap.waitForFunction(() => window.atriumViewer && window.atriumViewer.stats.framesShown > 0, null,
    { timeout: 20000 });
  await ap.click("#review");
  await ap.waitForSelector("#ws-save", { timeout: 20000 });
  const setup = await ap.evaluate(() => {
    const ws = window.atriumWorkspace, v = window.atriumViewer, ed = ws.results.ed_phase;
    for (let s = 0; s < v.slices.length; s++) {
      const f = v.slices[s][ed];
      const c = ws.contours.find((x) => x.sop_instance_uid === f.sop && x.frame === f.frame && x.structure === "lv_endo");
      if (!c) continue;
      v.setSlice(s);
      v.setPhase(ed);
      const i = c.points.reduce((best, p, k) => (p[0] > c.points[best][0] ? k : best), 0);
      return { slice: s, ed, index: ws.contours.indexOf(c), vertex: i, before: c.points.map((p) => [...p]), edv: ws.results.lv_edv_ml,
        spacing: ws.results.slice_spacing_mm, px: f.meta["00280030"].Value.map(Number), previews: ws.previews };
    }
    return null;
  });
  check(setup !== null, "an ED slice with an LV endocardial contour");
  if (setup) {
    await ap.waitForTimeout(500);
    const [vx, vy] = setup.before[setup.vertex];
    const from = await ap.evaluate(([x, y]) => window.atriumViewer.toClient(x, y), [vx, vy]);
    const to = await ap.evaluate(([x, y]) => window.atriumViewer.toClient(x, y), [vx + 4, vy]);
    await ap.mouse.move(from[0], from[1]);
    await ap.mouse.down();
    await ap.mouse.move((from[0] + to[0]) / 2, from[1], { steps: 3 });
    await ap.mouse.move(to[0], to[1], { steps: 3 });
    await ap.mouse.up();
    await ap.waitForFunction((n) => window.atriumWorkspace.previews > n, setup.previews, { timeout: 30000 });
    const after = await ap.evaluate((i) => ({ points: window.atriumWorkspace.contours[i].points,
      edv: window.atriumWorkspace.results.lv_edv_ml, text: document.getElementById("ws-results").textContent }),
    setup.index);
    // The same rule as the server: pixel centres inside the polygon (even-odd).
    const inside = (poly, x, y) => {
      let res = false;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [xi, yi] = poly[i], [xj, yj] = poly[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) res = !res;
      }
      return res;
    };
    let added = 0;
    for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) added += inside(after.points, x, y) - inside(setup.before, x, y);
    const want = setup.edv + (added * setup.px[0] * setup.px[1] * setup.spacing) / 1000;
    check(added > 0 && Math.abs(after.edv - want) <= Math.max(0.1, 0.01 * (want - setup.edv)) &&
      after.text.includes(`${after.edv} ml`),
    `EDV after the drag: ${setup.edv} -> ${after.edv} ml (${added} pixels added, expected ${want.toFixed(2)})`);
    await ap.click("#ws-save");
    await ap.waitForFunction(() => /by adm/.test(document.getElementById("ws-version")?.textContent || ""), null,
      { timeout: 30000 });
    // Reload: the saved version is the newest, with the values that were displayed.
    await ap.reload();
    await ap.waitForSelector("#review", { timeout: 20000 });
    await ap.waitForFunction(() => window.atriumViewer && window.atriumViewer.stats.framesShown > 0, null,
      { timeout: 20000 });
    await ap.click("#review");
    await ap.waitForSelector("#ws-save", { timeout: 20000 });
    const shown = await ap.evaluate(() => ({ head: document.getElementById("ws-version").textContent,
      edv: window.atriumWorkspace.results.lv_edv_ml }));
    check(/by adm/.test(shown.head) && shown.edv === after.edv, `after a reload: ${shown.head}, EDV ${shown.edv}`);
    await ap.evaluate(([sl, ph]) => { window.atriumViewer.setSlice(sl); window.atriumViewer.setPhase(ph); },
      [setup.slice, setup.ed]);
    await ap.waitForTimeout(300);
    const listed = await ap.evaluate(async (study) => (await (await fetch(`/api/analyses?study=${study}`)).json()),
      process.env.STUDY_UID);
    check(listed.length >= 2 && listed[0].created_by === "adm" && listed[0].results.lv_edv_ml === after.edv,
      `the saved version is listed first with the displayed EDV: ${listed.map((v) => `${v.id} ${v.created_by} ` +
        `${v.results.lv_edv_ml}`).join(", ")}`);
    await shot("13-workspace");
    check((await ap.$$("#ws-bullseye path")).length === 16, "the 16-segment bull's-eye is drawn");
    // The tools, on the shown ED image and the LV endocardium: each change is measured again.
    const measured = async (action) => {
      const n = await ap.evaluate(() => window.atriumWorkspace.previews);
      await action();
      await ap.waitForFunction((k) => window.atriumWorkspace.previews > k, n, { timeout: 30000 });
      return ap.evaluate(() => window.atriumWorkspace.results.lv_edv_ml);
    };
    const start = await ap.evaluate(() => window.atriumWorkspace.results.lv_edv_ml);
    const deleted = await measured(() => ap.click("#ws-delete"));
    check(deleted < start, `Delete: EDV ${start} -> ${deleted} ml`);
    const copied = await measured(() => ap.click("#ws-copy-phase"));
    const same = await ap.evaluate(() => {
      const ws = window.atriumWorkspace, v = window.atriumViewer, f = v.frame();
      const prev = v.slices[v.slice][(v.phase - 1 + v.phases()) % v.phases()];
      const get = (g) => ws.contours.find((c) => c.sop_instance_uid === g.sop && c.frame === g.frame &&
        c.structure === "lv_endo");
      return JSON.stringify(get(f)?.points) === JSON.stringify(get(prev)?.points);
    });
    check(copied > deleted && same, `Copy from previous phase: EDV ${deleted} -> ${copied} ml, the same outline`);
    const excluded = await measured(() => ap.click("#ws-toggle-slice"));
    const included = await measured(() => ap.click("#ws-toggle-slice"));
    check(excluded < copied && included === start, `Exclude / include slice: ${copied} -> ${excluded} -> ${included} ml`);
    await ap.click("#ws-freehand");
    const c0 = await ap.evaluate(() => window.atriumViewer.toClient(20, 20));
    const c1 = await ap.evaluate(() => window.atriumViewer.toClient(60, 60));
    const freehand = await measured(async () => {
      await ap.mouse.move(c0[0], c0[1]);
      await ap.mouse.down();
      for (const [x, y] of [[c1[0], c0[1]], [c1[0], c1[1]], [c0[0], c1[1]], [c0[0], c0[1] + 2]])
        await ap.mouse.move(x, y, { steps: 8 });
      await ap.mouse.up();
    });
    check(freehand !== included, `Freehand outline: EDV ${included} -> ${freehand} ml`);
    await shot("14-workspace-tools");
  }

} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`${failures.length} checks failed`);
  process.exit(1);
}
console.log("all viewer checks passed");
