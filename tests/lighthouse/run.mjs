// Lighthouse's four category scores, first contentful paint and cumulative layout shift for
// every page in both languages (mobile preset, Debian's Chromium). Called by
// scripts/lighthouse with the base URL of a running server; exits 1 when a score is below
// 100 or a layout shift reaches 0.01.

import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const base = process.argv[2];
const PAGES = ["", "platform", "people", "contact", "contact/thanks", "privacy"];
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
      // A score or metric Lighthouse could not measure is shown as "?" and fails the run.
      const scores = CATEGORIES.map((c) => (lhr.categories[c].score === null ? "?" : Math.round(lhr.categories[c].score * 100)));
      const metric = (id) => lhr.audits[id]?.numericValue;
      const fcp = metric("first-contentful-paint");
      const cls = metric("cumulative-layout-shift");
      rows.push({ page: `/${lang}/${slug}`, scores, fcp, cls });
      const problem = lhr.runtimeError?.message ?? lhr.audits["cumulative-layout-shift"]?.errorMessage;
      if (problem) console.error(`/${lang}/${slug}: ${problem}`);
      if (scores.some((s) => s === "?" || s < 100) || fcp === undefined || cls === undefined || cls >= 0.01) failed = true;
    }
  }
} finally {
  await chrome.kill();
}
console.log(`| page | ${CATEGORIES.join(" | ")} | FCP | CLS |`);
console.log(`|---|${CATEGORIES.map(() => "---").join("|")}|---|---|`);
for (const r of rows) {
  const fcp = r.fcp === undefined ? "?" : `${(r.fcp / 1000).toFixed(2)} s`;
  const cls = r.cls === undefined ? "?" : r.cls.toFixed(3);
  console.log(`| \`${r.page}\` | ${r.scores.join(" | ")} | ${fcp} | ${cls} |`);
}
process.exit(failed ? 1 : 0);
