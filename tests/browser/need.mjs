// Journey: staff file a need → dispatch from the suggestions → the volunteer
// accepts on a phone → staff complete it → the requester's rating is recorded.
import assert from "node:assert/strict";
import { BASE, DESKTOP, PHONE, launch, signIn } from "./lib.mjs";

const browser = await launch();
try {
  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(desk, "staff");
  await desk.goto(`${BASE}/needs`);
  await desk.fill("#need-form input[name=title]", "帮独居老人修水管");
  await desk.selectOption("#need-form select[name=category]", "veteran_assistance");
  await desk.fill("#need-form input[name=requester_name]", "王奶奶");
  await desk.fill("#need-form input[name=requester_phone]", "139 0000 7777");
  await desk.click("#need-form button[type=submit]");
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
  await desk.selectOption("#rating-form select[name=stars]", "5");
  await desk.fill("#rating-form input[name=comment]", "修得很好");
  await desk.click("#rate");
  assert.match(await desk.locator("#need-status").innerText(), /已评价/);
  console.log("journey passed");
} finally {
  await browser.close();
}
