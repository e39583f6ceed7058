// Journey: the leader's screen shows a code that changes every 30 seconds;
// a volunteer in the village square checks in with the phone's position and
// is accepted with the distance kept; another, 1.6 km away, is refused with
// the distance said; a screenshot's stale code is refused too.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { BASE, PHONE, PASSWORD, launch, signIn } from "./lib.mjs";

const shots = process.env.SHOTS_KEEP || process.env.SHOTS || "/tmp";
mkdirSync(shots, { recursive: true });
const id = process.env.ACTIVITY_ID;
const browser = await launch();

async function volunteer(username, where) {
  const ctx = await browser.newContext({ ...PHONE, geolocation: where, permissions: ["geolocation"] });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", PASSWORD);
  await page.click("#login-form button[type=submit]");
  await page.waitForURL(`${BASE}/me`);
  return page;
}

try {
  const leader = await (await browser.newContext(PHONE)).newPage();
  await signIn(leader, "leader_a");
  await leader.goto(`${BASE}/activities/${id}`);
  const code = (await leader.locator("#checkin-code").innerText()).trim();
  assert.match(code, /^\d{6}$/, "a six-digit code");
  const qrLink = await leader.locator("#qr").getAttribute("data-link");
  assert.ok(qrLink.endsWith(`?c=${code}`), qrLink);
  await leader.screenshot({ path: `${shots}/leader-code.png`, fullPage: true });

  // in the square (about 120 m from the village's pin)
  const near = await volunteer("laobing", { latitude: 33.3709, longitude: 111.6405 });
  await near.goto(`${BASE}${qrLink}`);
  await near.click("#check-in");
  await near.waitForSelector("#checkin-message.ok");
  assert.match(await near.locator("#checkin-message").innerText(), /签到成功/);
  assert.match(await near.locator("#checkin-state").innerText(), /已签到/);
  await near.screenshot({ path: `${shots}/checkin-near.png`, fullPage: true });

  // across the valley (about 1.6 km)
  const far = await volunteer("laobing2", { latitude: 33.3845, longitude: 111.6400 });
  await far.goto(`${BASE}${qrLink}`);
  await far.click("#check-in");
  await far.waitForSelector("#checkin-message.alert:not(.ok)");
  const refusal = await far.locator("#checkin-message").innerText();
  assert.match(refusal, /约 1\.6 公里/, refusal);
  assert.match(refusal, /500 米/);
  assert.equal(await far.locator("#checkin-message").getAttribute("role"), "alert");
  await far.screenshot({ path: `${shots}/checkin-far.png`, fullPage: true });

  // a screenshot's code, a minute old, no longer works
  const stale = qrLink.replace(/c=\d+$/, "c=000000");
  await far.goto(`${BASE}${stale}`);
  await far.context().setGeolocation({ latitude: 33.3709, longitude: 111.6405 });
  await far.click("#check-in");
  await far.waitForSelector("#checkin-message.alert:not(.ok)");
  assert.match(await far.locator("#checkin-message").innerText(), /签到码已过期/);

  // the leader sees who checked in and how far from the place
  await leader.reload();
  const row = leader.locator("#attendance-form tr", { hasText: "孙振华" });
  assert.match(await row.innerText(), /\d+ 米/);
  console.log("journey passed");
} finally {
  await browser.close();
}
