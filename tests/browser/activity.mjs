// Journey: a volunteer signs up on a phone, checks in through the QR link the
// leader shows, the leader closes the activity, and the volunteer's
// certificate prints to PDF (one A4 page, with the name and hours on it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { BASE, DESKTOP, PHONE, launch, signIn } from "./lib.mjs";

const shots = process.env.SHOTS_KEEP || process.env.SHOTS || "/tmp";
mkdirSync(shots, { recursive: true });
const activityId = process.env.ACTIVITY_ID;
const name = process.env.VOLUNTEER_NAME;
const browser = await launch();
try {
  const phone = await (await browser.newContext(PHONE)).newPage();
  phone.on("dialog", (d) => d.accept());
  await phone.goto(`${BASE}/login`);
  await phone.fill("input[name=username]", "laobing");
  await phone.fill("input[name=password]", process.env.PASSWORD);
  await phone.click("#login-form button[type=submit]");
  await phone.waitForURL(`${BASE}/me`);
  await phone.screenshot({ path: `${shots}/me.png`, fullPage: true });
  await phone.click(`#open-activities a[href="/activities/${activityId}"]`);
  await phone.click("#sign-up");
  assert.match(await phone.locator("#activity-message").innerText(), /报名成功/);
  assert.match(await phone.locator("#my-signup").innerText(), /已报名/);

  const desk = await (await browser.newContext(DESKTOP)).newPage();
  desk.on("dialog", (d) => d.accept());
  await signIn(desk, "leader_a");
  await desk.goto(`${BASE}/activities/${activityId}`);
  assert.ok(await desk.locator("#qr svg").isVisible(), "the leader shows a QR code");
  const link = await desk.locator("#checkin-link").inputValue();
  assert.match(link, /\/checkin\//);

  await phone.goto(link);
  await phone.click("#check-in");
  // the page's script reads the phone's position, sends, and shows the answer
  await phone.waitForFunction(() => /签到成功/.test(document.getElementById("checkin-message").textContent));
  if (shots) await phone.screenshot({ path: `${shots}/checked-in.png` });

  await desk.reload();
  await desk.click("#close-activity");
  assert.match(await desk.locator("#activity-message").innerText(), /活动已结束/);
  assert.match(await desk.locator("#activity-status").innerText(), /已结束/);

  await phone.goto(`${BASE}/me`);
  const hours = Number(await phone.locator("#my-hours").innerText());
  assert.ok(hours >= 3, `hours on my page: ${hours}`);
  await phone.click("#my-certificate");
  await phone.waitForURL(/\/certificate$/);
  assert.equal(await phone.locator("#issued-certificates li a").count(), 0, "looking issues nothing");
  await phone.click(".issue-preset");
  await phone.waitForURL(/\/certificate\?code=/);
  assert.equal(await phone.locator("#cert-name").innerText(), name);
  const issuedAt = phone.url();
  // opening it again shows the same certificate, and issues no other
  await phone.goto(`${BASE}/me`);
  await phone.click("#my-certificate");
  assert.equal(await phone.locator("#issued-certificates li a").count(), 1, "one certificate after one issue");
  await phone.click("#issued-certificates li a");
  assert.equal(phone.url(), issuedAt);
  const pdf = await phone.pdf({ format: "A4", printBackground: true });
  const file = `${shots}/certificate.pdf`;
  writeFileSync(file, pdf);
  const info = execFileSync("pdfinfo", [file]).toString();
  assert.match(info, /Pages:\s+1\n/, "the certificate fits on one A4 page");
  const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
  assert.match(text, /志愿服务证明/);
  assert.ok(text.includes(name), "the name is printed");
  assert.match(text, new RegExp(`${hours}\\s*小时`), "the hours are printed");
  assert.ok(!/\d{17}[\dX]/.test(text), "no full ID number on the certificate");
  console.log("journey passed");
} finally {
  await browser.close();
}
