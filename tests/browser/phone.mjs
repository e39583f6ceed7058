// Every role on a 360-px phone: each page its menu offers, and the first
// detail page each list links to, fits the screen (no sideways scrolling),
// its primary buttons are at least 44 px tall (a thumb, not a pointer), and
// no more than a tenth of its text is set under 14 px.
import assert from "node:assert/strict";
import { launch, BASE, PASSWORD } from "./lib.mjs";

const USERS = (process.env.USERS || "staff").split(",");
const browser = await launch();
const problems = [];
try {
  for (const user of USERS) {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN" });
    const page = await ctx.newPage();
    // the Content-Security-Policy blocks inline script and style: any page that still has some says so here
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(`${user} ${page.url()}: ${m.text()}`);
    });
    await page.goto(`${BASE}/login`);
    await page.fill("input[name=username]", user);
    await page.fill("input[name=password]", PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.waitForLoadState("load");
    const menu = await page.$$eval("#menu a[href]", (as) => as.map((a) => a.getAttribute("href")));
    const pages = menu.filter((h) => h.startsWith("/") && !h.startsWith("/lang/"));
    const seen = new Set();
    const check = async (path) => {
      if (seen.has(path)) return;
      seen.add(path);
      const r = await page.goto(`${BASE}${path}`);
      if (!r.ok()) problems.push(`${user} ${path}: ${r.status()}`);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (over > 1) problems.push(`${user} ${path}: ${over}px wider than the phone`);
      const small = await page.$$eval("main button.primary, main .button.primary", (bs) =>
        bs.filter((b) => b.offsetParent !== null && b.getBoundingClientRect().height < 44).map((b) => b.textContent.trim()));
      if (small.length) problems.push(`${user} ${path}: buttons under 44 px: ${small.join(", ")}`);
      // the share of the page's text set under 14 px
      const tiny = await page.evaluate(() => {
        let all = 0, under = 0;
        const walk = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          const t = n.textContent.trim().length;
          // charts are drawings that scale with the screen; their labels are not body text
          if (!t || !n.parentElement || n.parentElement.closest("svg") || n.parentElement.offsetParent === null) continue;
          all += t;
          if (parseFloat(getComputedStyle(n.parentElement).fontSize) < 13.5) under += t;
        }
        return all ? under / all : 0;
      });
      if (tiny > 0.1) problems.push(`${user} ${path}: ${Math.round(tiny * 100)}% of the text is under 14 px`);
    };
    for (const path of pages) {
      await check(path);
      const detail = await page.$$eval("main a[href^='/']", (as) =>
        as.map((a) => a.getAttribute("href")).find((h) => /\/\d+$/.test(h)));
      if (detail) await check(detail);
    }
    console.log(`${user}: ${seen.size} pages at 360 px`);
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join("\n"));
  console.log("journey passed");
} finally {
  await browser.close();
}
