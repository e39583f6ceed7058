// Journey: on a phone, staff upload an old Excel 97-2003 roster whose columns
// 参军日期 and 家庭人口 the importer does not know. The page shows the header it
// found with a few values under each column and asks; staff map 参军日期 to
// 入伍时间 and ignore 家庭人口, check again without choosing the file again,
// and import.
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
  await page.locator("#mapping-needed").waitFor();
  assert.equal(await page.locator("#report-valid").innerText(), "0", "nothing is checked while a column is unknown");
  const asked = await page.locator("#mapping .map-row.unknown select").evaluateAll((s) => s.map((x) => x.dataset.header));
  assert.deepEqual(asked, ["参军日期", "家庭人口"]);
  const text = await page.locator("#mapping").innerText();
  assert.match(text, /工作表“花名册” 第2行/, "the header found is named");
  assert.match(text, /1984年10月/, "values under the column help to decide");
  assert.doesNotMatch(text, /410522196601011015/, "ID numbers in the samples are masked");
  // phone first: no sideways scrolling, drop-downs big enough to tap
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `the page scrolls sideways by ${wide}px`);
  for (const box of await page.locator("#mapping select").evaluateAll((s) => s.map((x) => x.getBoundingClientRect().height))) {
    assert.ok(box >= 44, `a drop-down is ${box}px tall`);
  }
  if (shots) await page.screenshot({ path: `${shots}/import-mapping.png`, fullPage: true });

  await page.selectOption('#mapping select[data-header="参军日期"]', "enlisted_on");
  await page.selectOption('#mapping select[data-header="家庭人口"]', "ignore");
  await page.click("#check-button");
  await page.waitForFunction(() => !document.getElementById("mapping-needed") && document.getElementById("report-valid")?.textContent === "4");
  assert.equal(await page.locator("#report-added").innerText(), "4");
  await page.click("#import-button");
  await page.waitForFunction(() => document.getElementById("report-imported")?.textContent === "4");
  if (shots) await page.screenshot({ path: `${shots}/import-mapped.png`, fullPage: true });

  // the town's choice is remembered: the same roster next time needs no mapping
  await page.goto(`${BASE}/imports`);
  await page.setInputFiles("#import-form input[name=file]", process.env.ROSTER_FILE);
  await page.click("#check-button");
  await page.locator("#import-report").waitFor();
  assert.equal(await page.locator("#mapping-needed").count(), 0);
  assert.equal(await page.locator("#report-unchanged").innerText(), "4", "the same roster again changes nothing");
  await context.close();
  console.log("journey passed");
} finally {
  await browser.close();
}
