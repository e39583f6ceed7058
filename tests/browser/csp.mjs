// The demo town under its Content-Security-Policy: every role opens its menu
// pages, a detail page of each list, the printable papers and the public
// pages; Chromium must report no policy violation, and the page scripts that
// replaced inline handlers (menu, print, copyable check-in link) still work.
import assert from "node:assert/strict";
import { launch, BASE, PASSWORD } from "./lib.mjs";

const USERS = (process.env.USERS || "zhanxin").split(",");
const browser = await launch();
const problems = [];
const watch = (page, who) => {
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (apply|execute|load|frame)/i.test(m.text())) problems.push(`${who} ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${who} ${page.url()}: script error ${e.message}`));
};
const violations = (page) => page.evaluate(() => window.__cspViolations || []);
// counted by the page itself as well, in case a message is not logged
const listen = (ctx) => ctx.addInitScript(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
});
try {
  const anon = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN" });
  await listen(anon);
  const p = await anon.newPage();
  watch(p, "public");
  for (const path of ["/login", "/public/needs/new", "/join", "/verify", "/verify/NOSUCHCODE"]) {
    const r = await p.goto(`${BASE}${path}`);
    const csp = r.headers()["content-security-policy"] || "";
    if (!csp.includes("frame-ancestors 'none'") || csp.includes("unsafe-inline")) problems.push(`${path}: policy ${csp}`);
    for (const v of await violations(p)) problems.push(`public ${path}: ${v}`);
  }
  await anon.close();

  for (const user of USERS) {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN" });
    await listen(ctx);
    const page = await ctx.newPage();
    watch(page, user);
    await page.goto(`${BASE}/login`);
    await page.fill("input[name=username]", user);
    await page.fill("input[name=password]", PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.waitForLoadState("load");
    // the menu opens on a phone: app.js is allowed to run
    await page.click(".menu-toggle");
    assert.ok(await page.locator("#menu").isVisible(), `${user}: the menu opens under the policy`);
    const menu = await page.$$eval("#menu a[href]", (as) => as.map((a) => a.getAttribute("href")));
    const pages = menu.filter((h) => h.startsWith("/") && !h.startsWith("/lang/"));
    const seen = new Set();
    const papers = new Set();
    const visit = async (path) => {
      if (seen.has(path)) return [];
      seen.add(path);
      await page.goto(`${BASE}${path}`);
      for (const v of await violations(page)) problems.push(`${user} ${path}: ${v}`);
      const links = await page.$$eval("main a[href^='/']", (as) => as.map((a) => a.getAttribute("href")));
      for (const h of links.filter((h) => /\/sheet$|\/certificate(\?code=\w+)?$|\/care\/campaigns\/\d+$/.test(h))) papers.add(h);
      if (await page.locator("#checkin-link").count()) {
        await page.focus("#checkin-link");
        const selected = await page.evaluate(() => { const i = document.getElementById("checkin-link"); return i.selectionEnd - i.selectionStart; });
        assert.ok(selected > 0, `${user} ${path}: the check-in link is selected for copying`);
      }
      return links;
    };
    for (const path of pages) {
      const links = await visit(path);
      const detail = links.find((h) => /\/\d+$/.test(h));
      if (detail) await visit(detail);
    }
    // the papers and the care campaign: their print buttons work without an inline handler
    // a Set's iteration takes in what is added meanwhile: the certificate list leads to a certificate
    let printed = 0;
    for (const path of papers) {
      if (printed >= 3) break;
      await visit(path);
      if (!(await page.locator("[data-print]").count())) continue;
      await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
      await page.click("[data-print]");
      printed += 1;
      assert.equal(await page.evaluate(() => window.__printed), 1, `${user} ${path}: the print button prints`);
    }
    console.log(`${user}: ${seen.size} pages under the policy, ${printed} printed`);
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join("\n"));
  console.log("journey passed");
} finally {
  await browser.close();
}
