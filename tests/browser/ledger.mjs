// Journey: on a phone, the team leader takes two photos of the activity and
// prints its ledger page (活动台账); the PDF is one A4 page holding the record,
// the sign-in sheet, both photos and the signature lines. The ledger book of
// the month prints as a cover and the activity's page.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { BASE, PHONE, launch, signIn } from "./lib.mjs";

const shots = process.env.SHOTS_KEEP || process.env.SHOTS || "/tmp";
mkdirSync(shots, { recursive: true });
const id = process.env.ACTIVITY_ID;
const browser = await launch();
try {
  const page = await (await browser.newContext(PHONE)).newPage();
  await signIn(page, "leader_a");
  await page.goto(`${BASE}/activities/${id}`);
  const strip = page.locator(`#photos-activity-${id}`);
  assert.match(await strip.innerText(), /还没有照片/);
  // the camera button is a file input that asks for the camera
  const camera = strip.locator("input[type=file][capture]");
  assert.equal(await camera.getAttribute("accept"), "image/*");
  for (const file of [process.env.PHOTO_1, process.env.PHOTO_2]) {
    await page.locator(`#photos-activity-${id} input[type=file][capture]`).setInputFiles(file);
    await page.locator(`#photos-activity-${id} button[type=submit]`).click();
    await page.waitForURL(new RegExp(`/activities/${id}#photos-activity-${id}$`));
  }
  const thumbs = page.locator(`#photos-activity-${id} .thumbs img`);
  assert.equal(await thumbs.count(), 2, "two photos on the page");
  await page.waitForFunction(() => [...document.querySelectorAll(".thumbs img")].every((i) => i.complete && i.naturalWidth > 0));
  await page.screenshot({ path: `${shots}/activity-photos.png`, fullPage: true });

  await page.click("#print-ledger");
  await page.waitForURL(new RegExp(`/activities/${id}/ledger$`));
  await page.waitForFunction(() => [...document.querySelectorAll(".shots img")].every((i) => i.complete && i.naturalWidth > 0));
  assert.equal(await page.locator(".shots img").count(), 2);
  assert.equal(await page.locator(".missing").count(), 0, "two photos are enough for the ledger");
  await page.screenshot({ path: `${shots}/ledger-phone.png`, fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 392, `no sideways scrolling on a phone (${width})`);
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  const file = `${shots}/ledger.pdf`;
  writeFileSync(file, pdf);
  assert.match(execFileSync("pdfinfo", [file]).toString(), /Pages:\s+1\n/, "one A4 page");
  assert.match(execFileSync("pdfinfo", [file]).toString(), /Page size:.*\(A4\)/);
  const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
  for (const words of ["志愿服务活动台账", "秋收帮扶", "回车村村委会", "回车村服务小队", "孙振华", "签到签退", "活动照片", "活动负责人（签字）", "服务站（盖章）", "收割玉米"]) {
    assert.ok(text.includes(words), `${words} is printed:\n${text}`);
  }
  // the photos are on the page as pictures
  const images = execFileSync("pdfimages", ["-list", file]).toString().trim().split("\n").slice(2);
  assert.ok(images.length >= 2, `two pictures in the PDF: ${images.length}`);

  // the book of the period: a cover with the contents, then the page
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const from = new Date(Date.now() + 8 * 3600 * 1000 - 3 * 86400 * 1000).toISOString().slice(0, 10);
  await page.goto(`${BASE}/ledger?from=${from}&to=${today}`);
  await page.waitForFunction(() => [...document.querySelectorAll(".shots img")].every((i) => i.complete && i.naturalWidth > 0));
  const book = await page.pdf({ format: "A4", printBackground: true });
  const bookFile = `${shots}/ledger-book.pdf`;
  writeFileSync(bookFile, book);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [bookFile]).toString())[1]);
  assert.equal(pages, 1 + Number(process.env.BOOK_ACTIVITIES), "a cover and one page per activity");
  const bookText = execFileSync("pdftotext", ["-layout", bookFile, "-"]).toString();
  assert.ok(bookText.includes("回车村") && bookText.includes("志愿服务活动台账"));
  assert.ok(bookText.includes("政策宣讲") && bookText.includes("秋收帮扶"), "every activity of the period");
  const href = await page.locator("#ledger-workbook").getAttribute("href");
  const res = await page.request.get(`${BASE}${href}`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-type"], /spreadsheetml/);
  console.log("journey passed");
} finally {
  await browser.close();
}
