// Journey: staff checks the town's old Excel roster on a phone, reads the
// row-by-row report, imports the valid rows, and sees them on the town's
// dashboard with its charts.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { BASE, PHONE, launch, menu, signIn } from "./lib.mjs";

const shots = process.env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const browser = await launch();
try {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await signIn(page, "staff");
  await menu(page, "导入导出");
  await page.waitForURL(`${BASE}/imports`);
  await page.setInputFiles("#import-form input[name=file]", process.env.ROSTER_FILE);
  await page.click("#check-button");
  await page.locator("#import-report").waitFor();
  assert.equal(await page.locator("#report-rows").innerText(), "30");
  assert.equal(await page.locator("#report-valid").innerText(), "24");
  assert.equal(await page.locator("#report-imported").innerText(), "0", "a check imports nothing");
  const rows = await page.locator("#error-table tbody tr td:first-child").allInnerTexts();
  assert.deepEqual([...new Set(rows)], ["6", "11", "15", "19", "23", "27"], "every bad row by the sheet's own number");
  if (shots) await page.screenshot({ path: `${shots}/import-check.png`, fullPage: true });

  await page.setInputFiles("#import-form input[name=file]", process.env.ROSTER_FILE);
  await page.check("#import-form input[name=skip_invalid]");
  await page.click("#import-button");
  // the report is replaced in place (the chosen file stays chosen)
  await page.waitForFunction(() => document.getElementById("report-imported")?.textContent === "24");

  await menu(page, "统计");
  await page.waitForURL(/\/reports/);
  const figures = await page.locator("#figures").innerText();
  assert.match(figures, /24\s*人[\s\S]*在册志愿者/, "the imported veterans are on the town's roll");
  assert.equal(await page.locator("svg.chart").count(), 3);
  assert.equal(await page.locator("svg.gauge").count(), 2);
  const chart = await page.locator("svg.chart").first().boundingBox();
  assert.ok(chart && chart.width <= 390, "charts fit the phone's width");
  if (shots) await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });
  await context.close();
  console.log("journey passed");
} finally {
  await browser.close();
}
