// A crawler per role in Chromium, on a 360×740 phone and a 1366×768 PC: every
// page of the role's menu and every same-site link and GET form on those pages
// answers 2xx (forms are sent with what they hold by default). On the menu's
// pages and the first detail page of each: nothing scrolls sideways at 360 px,
// primary buttons and the links of a list are at least 44 px tall, no code word
// (`submitted`, `offered`, …) shows in the Chinese text, and no message in the
// success style reads as a refusal. "resident" crawls the public pages without
// signing in.
import assert from "node:assert/strict";
import { launch, BASE, PASSWORD } from "./lib.mjs";

const USERS = (process.env.USERS || "zhanxin").split(",");
const CODE_WORDS = ["submitted", "dispatched", "offered", "accepted", "declined", "completed", "rated", "rejected",
  "cancelled", "closed", "signed_up", "waiting", "pending", "approved", "applicant", "inactive", "town_staff",
  "team_leader", "grid_worker", "care_visit", "village_team", "town_squad", "veteran_assistance", "martyr_family",
  "flood_relief", "business_started", "employment", "none", "null", "undefined", "true", "false"];
// what a refusal says; none of it belongs in a green box
const REFUSAL = /不足|失败|错误|不能|无法|不可|不允许|已满|未通过|请先|拒绝|没有该活动的名额|才能签到/;
const SIZES = [["phone", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }],
  ["pc", { viewport: { width: 1366, height: 768 } }]];
// leaving the pages (downloads, printing, switching language, signing out) is not followed
const skip = (h) => !h.startsWith("/") || h.startsWith("//") || h.startsWith("/lang/") || h.startsWith("/logout")
  || h.startsWith("/static/") || /\.(xlsx|csv|png|jpg|pdf)(\?|$)/.test(h);

const browser = await launch();
const problems = [];
let opened = 0;
try {
  for (const user of USERS) {
    for (const [size, options] of SIZES) {
      const ctx = await browser.newContext({ ...options, locale: "zh-CN" });
      const page = await ctx.newPage();
      const who = `${user} (${size})`;
      let menu;
      if (user === "resident") {
        menu = ["/public/needs/new", "/join", "/verify", "/login"];
      } else {
        await page.goto(`${BASE}/login`);
        await page.fill("input[name=username]", user);
        await page.fill("input[name=password]", PASSWORD);
        await page.click("#login-form button[type=submit]");
        await page.waitForLoadState("load");
        menu = await page.$$eval("#menu a[href]", (as) => as.map((a) => a.getAttribute("href")));
        menu = [...new Set(["/", ...menu])].filter((h) => !skip(h));
      }
      const fetched = new Set();
      // a same-site address answers 2xx (a redirect is followed; the login page is not an answer)
      const answers = async (href, from) => {
        if (fetched.has(href) || skip(href)) return;
        fetched.add(href);
        opened += 1;
        const r = await page.request.get(`${BASE}${href}`, { maxRedirects: 5 });
        if (!r.ok()) problems.push(`${who} ${href} (from ${from}): ${r.status()}`);
        else if (user !== "resident" && new URL(r.url()).pathname === "/login") problems.push(`${who} ${href} (from ${from}): sent to the login page`);
      };
      const looked = new Set();
      const look = async (href) => {
        if (looked.has(href)) return;
        looked.add(href);
        const r = await page.goto(`${BASE}${href}`);
        if (!r.ok()) { problems.push(`${who} ${href}: ${r.status()}`); return; }
        const found = await page.evaluate(({ codeWords, refusal }) => {
          const out = [];
          const main = document.querySelector("main") || document.body;
          const over = document.documentElement.scrollWidth - window.innerWidth;
          const shown = (e) => e.offsetParent !== null && e.getClientRects().length > 0;
          const short = (sel) => [...main.querySelectorAll(sel)].filter(shown)
            .filter((e) => e.getBoundingClientRect().height < 43.5)
            .map((e) => `${e.textContent.trim().slice(0, 16)} ${Math.round(e.getBoundingClientRect().height)}px`);
          const buttons = short("button.primary, .button.primary");
          const listLinks = short("ul.cards > li > a:first-child, .pager a, ul.cards > li > a:only-child");
          const text = document.documentElement.lang.startsWith("zh") ? main.innerText : "";
          const words = new Set(text.split(/[^A-Za-z_]+/).filter(Boolean));
          const codes = codeWords.filter((w) => words.has(w));
          const green = [...document.querySelectorAll(".alert.ok, .ok[role=alert]")].map((e) => e.textContent.trim())
            .filter((t) => new RegExp(refusal).test(t));
          const links = [...main.querySelectorAll("a[href]")].map((a) => a.getAttribute("href"));
          const forms = [...main.querySelectorAll("form")].filter((f) => (f.getAttribute("method") || "get").toLowerCase() === "get")
            .map((f) => {
              const data = new URLSearchParams();
              for (const [k, v] of new FormData(f)) if (typeof v === "string") data.append(k, v);
              const action = f.getAttribute("action") || location.pathname;
              return `${action.split("#")[0]}${action.includes("?") ? "&" : "?"}${data}`;
            });
          return { over, buttons, listLinks, codes, green, links, forms };
        }, { codeWords: CODE_WORDS, refusal: REFUSAL.source });
        if (size === "phone" && found.over > 1) problems.push(`${who} ${href}: ${found.over}px wider than the phone`);
        if (found.buttons.length) problems.push(`${who} ${href}: primary buttons under 44 px: ${found.buttons.join(", ")}`);
        if (found.listLinks.length) problems.push(`${who} ${href}: list links under 44 px: ${found.listLinks.slice(0, 5).join(", ")}`);
        if (found.codes.length) problems.push(`${who} ${href}: code words in the Chinese text: ${found.codes.join(", ")}`);
        if (found.green.length) problems.push(`${who} ${href}: a refusal in the success style: ${found.green.join(" / ")}`);
        return found;
      };
      const shapes = new Set(menu.map((h) => h.replace(/\d+/g, "N")));
      for (const href of menu) {
        const found = await look(href);
        if (!found) continue;
        for (const link of found.links) await answers(link, href);
        for (const form of found.forms) await answers(form, `${href} (a form)`);
        // one page of each kind it links to (a need, a volunteer, the form to add one…) is looked at too
        for (const link of found.links) {
          const shape = link.split(/[?#]/)[0].replace(/\d+/g, "N");
          if (skip(link) || shapes.has(shape) || link.startsWith("/api/")) continue;
          shapes.add(shape);
          await look(link.split("#")[0]);
        }
      }
      console.log(`${who}: ${looked.size} pages looked at, ${fetched.size} links and forms answered`);
      await ctx.close();
    }
  }
  assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join("\n")}`);
  console.log(`journey passed (${opened} addresses)`);
} finally {
  await browser.close();
}
