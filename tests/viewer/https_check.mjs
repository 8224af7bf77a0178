// The viewer over HTTPS in headless Chromium: Chromium trusts exactly the server's certificate (its
// public key pinned with --ignore-certificate-errors-spki-list, not every certificate), the page
// loads, the study list is searched (QIDO-RS over the same TLS connection), HSTS is sent.
// Environment: ATRIUM_URL (https://...), ATRIUM_USER, ATRIUM_PASSWORD, PATIENT, SPKI (base64
// SHA-256 of the certificate's public key), VIEWER_DIR. Exits 1 with the failed checks listed.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.VIEWER_DIR, "package.json"));
const { chromium } = require("playwright-core");

const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failures.push(what); };

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", `--ignore-certificate-errors-spki-list=${process.env.SPKI}`] });
try {
  const context = await browser.newContext({ httpCredentials: { username: process.env.ATRIUM_USER,
    password: process.env.ATRIUM_PASSWORD } });
  const page = await context.newPage();
  const response = await page.goto(process.env.ATRIUM_URL + "/");
  check(response && response.status() === 200, `the viewer's page over HTTPS: ${response && response.status()}`);
  const hsts = response ? (await response.allHeaders())["strict-transport-security"] || "" : "";
  check(hsts.includes("max-age"), `HSTS on the page: '${hsts}'`);
  check(await page.evaluate(() => window.isSecureContext && location.protocol === "https:"), "a secure context");
  await page.fill("input[name=PatientName]", process.env.PATIENT.substring(0, 4).toLowerCase());
  await page.click("button[type=submit]");
  await page.waitForSelector("tr.study", { timeout: 15000 });
  const rows = await page.$$eval("tr.study", (trs) => trs.map((t) => t.textContent));
  check(rows.length === 1 && rows[0].includes(process.env.PATIENT), `search over HTTPS finds the study: ${rows}`);
} catch (e) {
  check(false, `error: ${e}`);
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
