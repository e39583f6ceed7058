// Shared helpers for the browser journeys: launch Debian's Chromium with the
// flags this kind of machine needs, and make valid test ID numbers.
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL;
export const PASSWORD = process.env.PASSWORD;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.LAOBING_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "zh-CN" };
export const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: "zh-CN" };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
export function idNumber(birth, seq) {
  const first = `411323${birth}${String(seq).padStart(3, "0")}`;
  const sum = [...first].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0);
  return first + CHECK[sum % 11];
}

export async function signIn(page, username) {
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", PASSWORD);
  await page.click("#login-form button[type=submit]");
  await page.waitForURL(`${BASE}/`);
}

/// Follows a menu entry as a person would: on a phone the menu opens first.
/// On a PC the entry sits in its group's drop-down: point at the group first.
export async function menu(page, label) {
  const toggle = page.locator(".menu-toggle");
  if (await toggle.isVisible()) await toggle.click();
  const link = page.locator(`#menu a:has-text("${label}")`).first();
  if (!(await link.isVisible())) {
    await page.hover(`#menu .group:has(a:has-text("${label}")) .group-name`);
  }
  await link.click();
}
