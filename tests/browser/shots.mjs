// Screenshots of the main pages for each role, at phone and PC size, into
// SHOTS_DIR; also reports any page that scrolls sideways at 360 px.
// Usage: BASE_URL=http://127.0.0.1:8080 PASSWORD=... SHOTS_DIR=docs/screenshots node shots.mjs
import { launch, BASE, PASSWORD } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const DIR = process.env.SHOTS_DIR || "screenshots";
const ROLES = (process.env.ROLES || "zhanxin:/,/needs,/activities,/volunteers,/reports;laobing01:/me,/shop,/activities;huiche_dz:/,/teams;wanggeyuan:/,/grids").split(";");
mkdirSync(DIR, { recursive: true });
const browser = await launch();
const wide = [];
for (const spec of ROLES) {
  const [user, list] = spec.split(":");
  for (const [name, viewport] of [["phone", { width: 360, height: 740 }], ["pc", { width: 1366, height: 768 }]]) {
    const ctx = await browser.newContext({ viewport, locale: "zh-CN", isMobile: name === "phone", hasTouch: name === "phone" });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/login`);
    await page.fill("input[name=username]", user);
    await page.fill("input[name=password]", PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.waitForLoadState("load");
    for (const path of list.split(",")) {
      await page.goto(`${BASE}${path}`);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (name === "phone" && sideways > 1) wide.push(`${user} ${path}: ${sideways}px too wide`);
      const file = `${DIR}/${user}-${path === "/" ? "home" : path.slice(1).replace(/\//g, "-")}-${name}.png`;
      await page.screenshot({ path: file, fullPage: false });
    }
    await ctx.close();
  }
}
await browser.close();
if (wide.length) {
  console.log(wide.join("\n"));
  process.exit(1);
}
console.log("no page scrolls sideways at 360 px");
