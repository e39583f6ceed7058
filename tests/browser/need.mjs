// Journey: the public files a need on a phone → staff dispatch from the
// suggestions → the volunteer accepts on a phone → staff complete it → the
// requester rates it from their follow link.
import assert from "node:assert/strict";
import { BASE, DESKTOP, PHONE, launch, signIn } from "./lib.mjs";

const browser = await launch();
try {
  const citizen = await (await browser.newContext(PHONE)).newPage();
  await citizen.goto(`${BASE}/public/needs/new`);
  await citizen.fill("#public-form input[name=title]", "帮独居老人修水管");
  await citizen.fill("#public-form input[name=requester_name]", "王奶奶");
  await citizen.fill("#public-form input[name=requester_phone]", "139 0000 7777");
  // the village is chosen, never assumed
  await citizen.selectOption("#public-form select[name=region_id]", process.env.VILLAGE_ID);
  await citizen.click("#public-form button[type=submit]");
  await citizen.waitForURL((u) => /\/public\/needs\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith("/new"));
  const followUrl = citizen.url();
  assert.match(await citizen.locator("#follow-status").innerText(), /待审核/);

  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(desk, "staff");
  await desk.goto(`${BASE}/needs`);
  await desk.click("#need-list a:has-text('帮独居老人修水管')");
  await desk.waitForURL(/\/needs\/\d+$/);
  const needUrl = desk.url();
  assert.match(await desk.locator("#need-status").innerText(), /待审核/);
  const first = desk.locator("#dispatch-form li").first();
  assert.match(await first.innerText(), /就近|距离|位置/, "suggestions say why");
  await desk.click("#dispatch");
  assert.match(await desk.locator("#need-message").innerText(), /已派单/);
  assert.match(await desk.locator("#need-status").innerText(), /已派单/);

  const phone = await (await browser.newContext(PHONE)).newPage();
  await phone.goto(`${BASE}/login`);
  await phone.fill("input[name=username]", "helper");
  await phone.fill("input[name=password]", process.env.PASSWORD);
  await phone.click("#login-form button[type=submit]");
  await phone.waitForURL(`${BASE}/me`);
  await phone.click("#my-offers a");
  await phone.click("#accept");
  assert.match(await phone.locator("#need-message").innerText(), /已接单/);

  await desk.goto(needUrl);
  assert.match(await desk.locator("#need-status").innerText(), /服务中/);
  await desk.click("#complete");
  assert.match(await desk.locator("#need-message").innerText(), /已完成/);
  await citizen.goto(followUrl);
  assert.match(await citizen.locator("#follow-status").innerText(), /已完成/);
  await citizen.selectOption("#public-rating select[name=stars]", "5");
  await citizen.fill("#public-rating input[name=comment]", "修得很好");
  await citizen.click("#public-rating button[type=submit]");
  assert.match(await citizen.locator("#follow-message").innerText(), /感谢/);
  assert.match(await citizen.locator("#follow-status").innerText(), /已评价/);
  console.log("journey passed");
} finally {
  await browser.close();
}
