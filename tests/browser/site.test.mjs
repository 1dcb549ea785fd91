// End-to-end tests in Debian's headless Chromium, driven by playwright-core: every page in
// both languages on a phone and a desktop, the reader's journey, keyboard use, and axe-core's
// WCAG 2.1 A/AA rules. Starts the release binary on a free loopback port with a temporary
// database. Screenshots go to tests/browser/screenshots/ (git-ignored).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as shared from "./shared.mjs";
import { axeViolations, freePort } from "./shared.mjs";

const SHOTS = path.join(import.meta.dirname, "screenshots");

// The statements are the made-up examples of tests/fixtures/content.
const PAGES = ["", "platform", "people", "contact", "contact/thanks", "privacy", "statements/", "statements/stop-the-executions"];
const LANGS = [
  { lang: "en", dir: "ltr" },
  { lang: "fa", dir: "rtl" },
];
const VIEWPORTS = [
  { width: 375, height: 812 },
  { width: 1280, height: 800 },
];

let server;
let base;
let browser;
let dbDir;

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dbDir = mkdtempSync(path.join(tmpdir(), "scdi-browser-"));
  server = await shared.startSite(["--addr", `127.0.0.1:${port}`, "--base-url", base, "--db", path.join(dbDir, "db.sqlite3"), "--contact-per-hour", "0", "--content-dir", "tests/fixtures/content",
    // The privacy page and the safety note with every optional fact on them.
    "--retention-days", "30", "--privacy-contact", "privacy@example.org", "--onion-url", "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"]);
  browser = await shared.launch();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
});

const openPage = (options) => shared.openPage(browser, options);

/** Boxes of the header's site title and navigation links. */
function headerBoxes(page) {
  return page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: Math.round(r.top) };
    };
    const inner = document.querySelector(".header-inner");
    const style = getComputedStyle(inner);
    const innerBox = inner.getBoundingClientRect();
    return {
      inner: {
        left: innerBox.left + parseFloat(style.paddingLeft),
        right: innerBox.right - parseFloat(style.paddingRight),
      },
      title: box(document.querySelector(".site-title")),
      nav: [...document.querySelectorAll(".site-nav a")].map(box),
    };
  });
}

describe("every page, both languages, phone and desktop", () => {
  for (const { lang, dir } of LANGS) {
    for (const slug of PAGES) {
      for (const viewport of VIEWPORTS) {
        const url = `/${lang}/${slug}`;
        test(`${url} at ${viewport.width}x${viewport.height}`, async () => {
          const { context, page, problems, requests } = await openPage({ viewport });
          const response = await page.goto(base + url, { waitUntil: "networkidle" });
          assert.equal(response.status(), 200);
          await page.evaluate(() => document.fonts.ready);

          assert.deepEqual(problems, [], "no console errors, no failed requests");
          const foreign = requests.filter((r) => !r.startsWith(base + "/"));
          assert.deepEqual(foreign, [], "nothing from another host");

          const direction = await page.evaluate(() => getComputedStyle(document.body).direction);
          assert.equal(direction, dir);

          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `no horizontal overflow (by ${overflow}px)`);

          const { inner, title, nav } = await headerBoxes(page);
          // Navigation links on one row, in document order.
          const firstRow = nav.filter((b) => b.top === nav[0].top);
          assert.ok(firstRow.length >= 2);
          for (let i = 1; i < firstRow.length; i++) {
            if (dir === "rtl") assert.ok(firstRow[i].right <= firstRow[i - 1].left + 1, "navigation reads right to left");
            else assert.ok(firstRow[i].left >= firstRow[i - 1].right - 1, "navigation reads left to right");
          }
          if (dir === "rtl") assert.ok(Math.abs(title.right - inner.right) <= 2, `site title at the right edge (${title.right} vs ${inner.right})`);
          else assert.ok(Math.abs(title.left - inner.left) <= 2, `site title at the left edge (${title.left} vs ${inner.left})`);

          const fontFiles = requests.filter((r) => r.includes("/static/fonts/"));
          if (lang === "fa") {
            const vazirmatn = await page.evaluate(() => ({
              loaded: [...document.fonts].some((f) => f.family.replace(/"/g, "") === "Vazirmatn" && f.status === "loaded"),
              used: document.fonts.check("16px Vazirmatn", "سلام"),
            }));
            assert.ok(vazirmatn.loaded && vazirmatn.used, "Persian text is set in Vazirmatn");
            assert.ok(fontFiles.length >= 1 && fontFiles.length <= 2, `at most two font files (${fontFiles})`);
          } else {
            assert.deepEqual(fontFiles, [], "English pages never download the Persian font");
          }

          const name = `${lang}-${slug.replace("/", "-") || "home"}-${viewport.width}x${viewport.height}.png`;
          await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
          await context.close();
        });
      }
    }
  }
});

describe("page weight: a first visit in a real browser", () => {
  // The budget counts HTML, CSS and fonts as sent on the wire (brotli), as in the README.
  const BUDGET = { en: 20_000, fa: 30_000 };
  for (const { lang } of LANGS) {
    test(`/${lang}/ fits in ${BUDGET[lang]} bytes`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const responses = [];
      page.on("response", (r) => responses.push(r));
      await page.goto(`${base}/${lang}/`, { waitUntil: "load" });
      await page.evaluate(() => document.fonts.ready);
      const rows = [];
      for (const r of responses) {
        const type = r.request().resourceType();
        const { responseBodySize } = await r.request().sizes();
        rows.push({ type, url: new URL(r.url()).pathname, bytes: responseBodySize, encoding: r.headers()["content-encoding"] });
      }
      const counted = rows.filter((r) => ["document", "stylesheet", "font"].includes(r.type));
      for (const r of counted.filter((r) => r.type !== "font")) assert.equal(r.encoding, "br", `${r.url} in brotli`);
      const total = counted.reduce((sum, r) => sum + r.bytes, 0);
      console.log(`/${lang}/ first visit: ${counted.map((r) => `${r.url} ${r.bytes}`).join(", ")}; total ${total} bytes`);
      assert.ok(total > 0 && total <= BUDGET[lang], `${total} bytes`);
      await context.close();
    });
  }
});

describe("layout stability: Persian pages do not move when their font arrives", () => {
  // A cold cache on a slow mobile link (Lighthouse's mobile assumptions: 150 ms round trips,
  // 1.6 Mbit/s), so that the font arrives well after the first paint, as it does for
  // readers in Iran. Layout shifts are summed from Chromium's own layout-shift entries.
  const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
  // Persian pages (their font arrives late), the statements in both languages (their
  // images arrive late), and the privacy page in both.
  const measured = [
    ...PAGES.map((slug) => ["fa", slug]),
    ...PAGES.filter((slug) => slug.startsWith("statements/") || slug === "privacy").map((slug) => ["en", slug]),
  ];
  for (const [lang, slug] of measured) {
    for (const viewport of VIEWPORTS) {
      test(`/${lang}/${slug} at ${viewport.width}px: cumulative layout shift below 0.01`, async () => {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
        await page.addInitScript(() => {
          window.__shift = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
          }).observe({ type: "layout-shift", buffered: true });
        });
        await page.goto(`${base}/${lang}/${slug}`, { waitUntil: "load" });
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(300);
        const shift = await page.evaluate(() => window.__shift);
        console.log(`/${lang}/${slug} at ${viewport.width}px: cumulative layout shift ${shift.toFixed(4)}`);
        assert.ok(shift < 0.01, `layout shift ${shift}`);
        await context.close();
      });
    }
  }
});

describe("Persian typesetting", () => {
  test("LGBTQ+ is stored in logical order and shown left to right, its + after the Q", async () => {
    const { context, page } = await openPage({ viewport: VIEWPORTS[1] });
    await page.goto(`${base}/fa/platform`);
    const found = await page.evaluate(() => {
      const item = [...document.querySelectorAll(".commitments li")].find((li) => li.textContent.includes("LGBTQ"));
      const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode()) && !node.data.includes("LGBTQ"));
      const at = node.data.indexOf("LGBTQ+");
      const box = (i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect();
      };
      const [l, q, plus] = [box(at), box(at + 4), box(at + 5)];
      return { text: item.textContent, at, l: l.left, q: q.right, plus: plus.left };
    });
    assert.ok(found.at >= 0 && !found.text.includes("+LGBTQ"), found.text);
    assert.ok(found.l < found.q && found.plus >= found.q - 1, `shown as LGBTQ+: ${JSON.stringify(found)}`);
    await context.close();
  });

  test("the platform's numbers are Persian on Persian pages", async () => {
    const { context, page } = await openPage({ viewport: VIEWPORTS[0] });
    await page.goto(`${base}/fa/platform`);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector(".commitments")).listStyleType), "persian");
    await page.goto(`${base}/en/platform`);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector(".commitments")).listStyleType), "decimal");
    await context.close();
  });

  test("empty fields follow the page's direction; typed text sets its own", async () => {
    const { context, page } = await openPage({ viewport: VIEWPORTS[0] });
    await page.goto(`${base}/fa/contact`);
    const direction = (sel) => page.evaluate((s) => getComputedStyle(document.querySelector(s)).direction, sel);
    assert.equal(await direction("#name"), "rtl", "the Persian placeholder sits on the right");
    assert.equal(await direction("#message"), "rtl");
    await page.fill("#name", "Mary Smith");
    assert.equal(await direction("#name"), "ltr", "an English name reads left to right");
    await page.fill("#name", "مریم");
    assert.equal(await direction("#name"), "rtl");
    assert.equal(await direction("#email"), "ltr", "an email address is written left to right");
    await context.close();
  });

  test("Persian text and its punctuation come from one font; underlines clear the dots", async () => {
    const { context, page } = await openPage({ viewport: VIEWPORTS[0] });
    await page.goto(`${base}/fa/`, { waitUntil: "load" });
    await page.evaluate(() => document.fonts.ready);
    // What Chromium drew the lead paragraph with (Persian words, « », ، and .): Vazirmatn
    // alone, the guillemets and full stop included.
    const cdp = await context.newCDPSession(page);
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument");
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "p.lead" });
    const text = await page.evaluate(() => document.querySelector("p.lead").textContent);
    assert.ok(text.includes("«") && text.includes("»"), text);
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    // One font, the site's own (its name table says "Vazirmatn NL"): no glyph of the
    // paragraph came from the system's fonts.
    assert.equal(fonts.length, 1, JSON.stringify(fonts));
    assert.ok(fonts[0].isCustomFont && fonts[0].familyName.startsWith("Vazirmatn"), JSON.stringify(fonts));
    const offset = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector("main a, footer a")).textUnderlineOffset));
    const fa = await offset();
    await page.goto(`${base}/en/`);
    const en = await offset();
    assert.ok(fa > en, `underline offset: Persian ${fa}px, English ${en}px`);
    await context.close();
  });
});

describe("accessibility: axe-core WCAG 2.1 A and AA", () => {
  for (const { lang } of LANGS) {
    for (const slug of PAGES) {
      for (const viewport of VIEWPORTS) {
        test(`/${lang}/${slug} at ${viewport.width}px has no violations`, async () => {
          const { context, page } = await openPage({ viewport });
          await page.goto(`${base}/${lang}/${slug}`, { waitUntil: "networkidle" });
          assert.deepEqual(await axeViolations(page), []);
          await context.close();
        });
      }
    }
    test(`/${lang}/contact in its error state has no violations`, async () => {
      const { context, page } = await openPage({ viewport: VIEWPORTS[1] });
      await page.goto(`${base}/${lang}/contact`);
      await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
      assert.ok(await page.locator("#error-summary").isVisible());
      assert.deepEqual(await axeViolations(page), []);
      await page.screenshot({ path: path.join(SHOTS, `${lang}-contact-errors-1280x800.png`), fullPage: true });
      await context.close();
    });
    test(`/${lang}/ 404 page has no violations`, async () => {
      const { context, page } = await openPage({ viewport: VIEWPORTS[0] });
      const res = await page.goto(`${base}/${lang}/no-such-page`);
      assert.equal(res.status(), 404);
      assert.deepEqual(await axeViolations(page), []);
      await context.close();
    });
  }
});

describe("the reader's journey", () => {
  test("a Persian browser lands on /fa/, switches to English and back, and the choice is remembered", async () => {
    const { context, page, problems } = await openPage({ locale: "fa-IR", viewport: VIEWPORTS[0] });
    const idle = { waitUntil: "networkidle" };
    await page.goto(base + "/", idle);
    assert.equal(new URL(page.url()).pathname, "/fa/");

    await page.click(".lang-switch a[hreflang=en]");
    await page.waitForURL(`${base}/en/`, idle);
    await page.goto(base + "/", idle);
    assert.equal(new URL(page.url()).pathname, "/en/", "English remembered despite a Persian browser");

    await page.goto(base + "/platform", idle);
    await page.click(".lang-switch a[hreflang=fa]");
    await page.waitForURL(`${base}/fa/platform`, idle);
    await page.goto(base + "/", idle);
    assert.equal(new URL(page.url()).pathname, "/fa/");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the skip link works and focus is visible", async () => {
    const { context, page } = await openPage({ viewport: VIEWPORTS[1] });
    await page.goto(`${base}/fa/`);
    await page.keyboard.press("Tab");
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { cls: el.className, top: r.top, visible: r.width > 0 && r.bottom > 0 };
    });
    assert.equal(skip.cls, "skip-link");
    assert.ok(skip.visible && skip.top >= 0, "the skip link shows when focused");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "main");

    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    assert.notEqual(outline.style, "none");
    assert.ok(outline.width >= 2, "a visible focus ring");
    await context.close();
  });

  for (const { lang, dir } of LANGS) {
    test(`/${lang}/contact by keyboard only: tab order follows the layout, errors then thanks`, async () => {
      const { context, page, problems } = await openPage({ viewport: VIEWPORTS[1] });
      await page.goto(`${base}/${lang}/contact`);

      // Walk the whole page with Tab, recording what gets focus and where it is.
      const order = [];
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press("Tab");
        const f = await page.evaluate(() => {
          const el = document.activeElement;
          const r = el.getBoundingClientRect();
          // In the page, not the viewport: focus scrolls a long form.
          return { id: el.id, tag: el.tagName, nav: !!el.closest(".site-nav"), left: r.left, right: r.right, top: Math.round(r.top + window.scrollY) };
        });
        if (f.tag === "BUTTON") {
          order.push(f);
          break;
        }
        order.push(f);
      }
      const ids = order.map((f) => f.id).filter(Boolean);
      assert.deepEqual(ids, ["name", "email", "message"], "form fields in order, the honeypot skipped");
      assert.equal(order.at(-1).tag, "BUTTON");
      const nav = order.filter((f) => f.nav && f.top === order.find((o) => o.nav).top);
      for (let i = 1; i < nav.length; i++) {
        if (dir === "rtl") assert.ok(nav[i].right <= nav[i - 1].left + 1, "Tab moves right to left in Persian");
        else assert.ok(nav[i].left >= nav[i - 1].right - 1, "Tab moves left to right in English");
      }
      const fields = order.filter((f) => f.id || f.tag === "BUTTON");
      for (let i = 1; i < fields.length; i++) assert.ok(fields[i].top > fields[i - 1].top, "form fields top to bottom");

      // Invalid input, typed and sent with the keyboard.
      await page.focus("#email");
      await page.keyboard.type("not-an-address");
      await page.keyboard.press("Tab");
      await page.keyboard.type(lang === "fa" ? "سلام، می‌خواهم همکاری کنم." : "Hello, I would like to help.");
      await page.keyboard.press("Tab");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.equal(await page.evaluate(() => document.activeElement.id), "error-summary", "focus moves to the error summary");
      const summary = await page.locator("#error-summary").innerText();
      assert.ok(summary.includes(lang === "fa" ? "نام خود را وارد کنید." : "Enter your name."), summary);
      assert.equal(await page.getAttribute("#name", "aria-invalid"), "true");
      assert.equal(await page.getAttribute("#name", "aria-describedby"), "name-error");
      assert.equal(await page.inputValue("#email"), "not-an-address", "values kept");

      // Fix it, still by keyboard: Tab from the summary through its links to the name field.
      for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.id)) !== "name"; i++) {
        await page.keyboard.press("Tab");
      }
      assert.equal(await page.evaluate(() => document.activeElement.id), "name");
      await page.keyboard.type(lang === "fa" ? "مریم" : "Mary");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("mary@example.org");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.equal(new URL(page.url()).pathname, `/${lang}/contact/thanks`);
      const heading = await page.locator("h1").innerText();
      assert.equal(heading, lang === "fa" ? "از پیام شما سپاسگزاریم!" : "Thanks for submitting!");
      // The 422 of the first attempt (which Chromium also logs) is expected; nothing else.
      assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
      await context.close();
    });
  }
});
