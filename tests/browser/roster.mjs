// Journey: staff signs in, adds a volunteer, sees the field error for a bad ID
// number, corrects it, and finds the volunteer by search — on a desktop and on
// a phone-sized screen.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { BASE, DESKTOP, PHONE, idNumber, launch, menu, signIn } from "./lib.mjs";

const shots = process.env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const browser = await launch();
try {
  for (const [label, device, seq, name] of [["desktop", DESKTOP, 301, "赵卫东"], ["phone", PHONE, 303, "钱振宇"]]) {
    const context = await browser.newContext(device);
    const page = await context.newPage();
    await signIn(page, "staff");
    assert.match(await page.locator("h1").first().innerText(), /工作台/);

    await menu(page, "志愿者");
    await page.click("#add-volunteer");
    await page.waitForURL(`${BASE}/volunteers/new`);
    const good = idNumber("19780420", seq);
    const bad = good.slice(0, 17) + (good[17] === "3" ? "4" : "3");
    await page.fill("input[name=name]", name);
    await page.fill("input[name=id_number]", bad);
    await page.fill("input[name=phone]", `139 0000 0${seq}`);
    await page.selectOption("select[name=region_id]", process.env.VILLAGE_ID);
    await page.check("input[name=skills][value=driving]");
    await page.click("#volunteer-form button[type=submit]");

    const error = page.locator('.field-error[data-for="id_number"]');
    await error.waitFor({ state: "visible" });
    assert.match(await error.innerText(), /校验位/);
    assert.equal(await page.inputValue("input[name=name]"), name, "typed values survive the error");
    assert.ok(await page.isChecked("input[name=skills][value=driving]"));
    if (shots) await page.screenshot({ path: `${shots}/${label}-error.png`, fullPage: true });

    await page.fill("input[name=id_number]", good);
    await page.click("#volunteer-form button[type=submit]");
    await page.waitForURL(/\/volunteers\/\d+$/);
    assert.match(await page.locator("h1").innerText(), new RegExp(name));
    assert.equal(await page.locator("#id-number").innerText().then((t) => t.split(" ")[0]), good);

    await menu(page, "志愿者");
    await page.fill("#search-form input[name=q]", name.slice(0, 2));
    await page.click("#search-form button[type=submit]");
    await page.waitForURL(/q=/);
    const results = page.locator("#volunteer-list li");
    assert.equal(await results.count(), 1, "exactly the new volunteer is found");
    assert.match(await results.first().innerText(), new RegExp(name));
    assert.match(await results.first().innerText(), /\*\*\*\*/, "lists show phones masked");
    if (shots) await page.screenshot({ path: `${shots}/${label}-found.png` });
    await context.close();
    console.log(`${label}: ok`);
  }
  console.log("journey passed");
} finally {
  await browser.close();
}
