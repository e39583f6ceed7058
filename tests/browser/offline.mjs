// Journey: a volunteer opens the check-in page, loses the signal, checks in
// anyway; the page says the check-in waits to be sent; when the signal is
// back it is sent, and the record shows once with the time it was pressed.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { BASE, PHONE, PASSWORD, launch, signIn } from "./lib.mjs";

const shots = process.env.SHOTS_KEEP || process.env.SHOTS || "/tmp";
mkdirSync(shots, { recursive: true });
const id = process.env.ACTIVITY_ID;
const browser = await launch();
try {
  const leader = await (await browser.newContext(PHONE)).newPage();
  await signIn(leader, "leader_a");
  await leader.goto(`${BASE}/activities/${id}`);
  const qrLink = await leader.locator("#qr").getAttribute("data-link");

  const ctx = await browser.newContext({ ...PHONE, geolocation: { latitude: 33.3702, longitude: 111.6401 }, permissions: ["geolocation"] });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=username]", "laobing");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("#login-form button[type=submit]");
  await page.waitForURL(`${BASE}/me`);
  await page.goto(`${BASE}${qrLink}`);
  // the service worker takes charge of the page before the signal goes
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller);
  // and the page with its CSS and scripts is kept for opening offline (a copy
  // made in the background, slower than the worker on a busy machine)
  await page.waitForSelector("html[data-offline=ready]", { state: "attached" });

  await ctx.setOffline(true);
  const pressed = Date.now();
  await page.click("#check-in");
  await page.waitForSelector("#outbox:not([hidden]) li");
  const waiting = await page.locator("#outbox").innerText();
  assert.match(waiting, /等待发送（1）/, waiting);
  assert.match(waiting, /签到/);
  assert.match(await page.locator("#checkin-message").innerText(), /没有网络/);
  await page.screenshot({ path: `${shots}/offline-waiting.png`, fullPage: true });
  // the page still opens without a signal
  await page.reload();
  assert.match(await page.locator("#outbox").innerText(), /等待发送（1）/);

  await page.waitForTimeout(4000);
  const back = Date.now();
  await ctx.setOffline(false);
  await page.waitForSelector("#checkin-message.ok", { timeout: 30000 });
  await page.waitForFunction(() => /已发送 1 条/.test(document.getElementById("checkin-message").textContent), null, { timeout: 30000 });
  assert.match(await page.locator("#checkin-state").innerText(), /已签到/);
  assert.equal(await page.locator("#outbox li").count(), 0, "nothing waits any more");
  await page.screenshot({ path: `${shots}/offline-sent.png`, fullPage: true });

  // once, at the time it was pressed (not when it was sent)
  const token = (await (await fetch(`${BASE}/api/v1/auth/token`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "staff", password: PASSWORD }),
  })).json()).token;
  const sheet = await (await fetch(`${BASE}/api/v1/activities/${id}/attendance`, { headers: { Authorization: `Bearer ${token}` } })).json();
  const mine = sheet.filter((l) => l.name === process.env.VOLUNTEER_NAME && l.check_in);
  assert.equal(mine.length, 1, JSON.stringify(sheet));
  const recorded = Date.parse(mine[0].check_in);
  assert.ok(Math.abs(recorded - pressed) < 2000, `recorded ${mine[0].check_in}, pressed ${new Date(pressed).toISOString()}`);
  assert.ok(back - recorded >= 3000, "not the time it reached the server");
  console.log("journey passed");
} finally {
  await browser.close();
}
