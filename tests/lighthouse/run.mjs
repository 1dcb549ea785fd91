// Lighthouse's four category scores, first contentful paint and cumulative layout shift for
// every page in both languages (mobile preset, Debian's Chromium). Called by
// scripts/lighthouse with the base URL of a running server; exits 1 when a score is below
// 100 or a layout shift reaches 0.01.

import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const base = process.argv[2];
const PAGES = ["", "platform", "people", "contact", "contact/thanks"];
const LANGS = ["en", "fa"];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const rows = [];
let failed = false;
try {
  for (const lang of LANGS) {
    for (const slug of PAGES) {
      const url = `${base}/${lang}/${slug}`;
      const { lhr } = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error" });
      const scores = CATEGORIES.map((c) => Math.round(lhr.categories[c].score * 100));
      const fcp = lhr.audits["first-contentful-paint"].numericValue / 1000;
      const cls = lhr.audits["cumulative-layout-shift"].numericValue;
      rows.push({ page: `/${lang}/${slug}`, scores, fcp, cls });
      if (scores.some((s) => s < 100) || cls >= 0.01) failed = true;
    }
  }
} finally {
  await chrome.kill();
}
console.log(`| page | ${CATEGORIES.join(" | ")} | FCP | CLS |`);
console.log(`|---|${CATEGORIES.map(() => "---").join("|")}|---|---|`);
for (const r of rows) {
  console.log(`| \`${r.page}\` | ${r.scores.join(" | ")} | ${r.fcp.toFixed(2)} s | ${r.cls.toFixed(3)} |`);
}
process.exit(failed ? 1 : 0);
