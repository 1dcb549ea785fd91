// A static mirror in a real browser: `scdi-site export` into a folder, served by Debian's
// nginx under a path prefix (/mirror/) with no rewrite rules and the exported header
// snippet, then every page in both languages in headless Chromium: no failed request, nothing
// from another host, direction and fonts right, axe-core clean; a crawl from the root
// index.html reaches every page; and the contact form posts to the live site, which accepts
// it from this mirror's origin.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import * as shared from "./shared.mjs";
import { axeViolations, BIN, freePort, ROOT } from "./shared.mjs";

// The statements are the made-up examples of tests/fixtures/content.
const PAGES = ["", "platform", "people", "contact", "contact/thanks", "privacy", "statements", "statements/stop-the-executions"];
const LANGS = [
  { lang: "en", dir: "ltr" },
  { lang: "fa", dir: "rtl" },
];

let dir;
let nginx;
let live;
let browser;
let origin; // the mirror's origin: http://127.0.0.1:PORT
let mirror; // where the copy is served: `${origin}/mirror`
let liveBase;

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise((resolve) => {
      const socket = createServer().listen(port, "127.0.0.1");
      socket.once("listening", () => socket.close(() => resolve(false)));
      socket.once("error", () => resolve(true));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "scdi-mirror-"));
  const [mirrorPort, livePort] = [await freePort(), await freePort()];
  origin = `http://127.0.0.1:${mirrorPort}`;
  mirror = `${origin}/mirror`;
  liveBase = `http://127.0.0.1:${livePort}`;
  const out = path.join(dir, "site");
  execFileSync(BIN, ["export", out, "--base-url", mirror, "--form-action", liveBase, "--content-dir", "tests/fixtures/content"], { cwd: ROOT, stdio: "inherit" });
  // nginx's workers may run as another user: let them read the copy.
  execFileSync("chmod", ["-R", "a+rX", dir]);
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${mirrorPort};
    location /mirror/ {
      alias ${out}/;
      index index.html;
      gzip_static on;
      include ${out}/nginx-headers.conf;
      error_page 404 /mirror/404.html;
    }
  }
}
`,
  );
  nginx = spawn("nginx", ["-p", dir, "-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(mirrorPort);

  // The live site, accepting forms from this mirror's origin.
  live = await shared.startSite(["--addr", `127.0.0.1:${livePort}`, "--base-url", liveBase, "--db", path.join(dir, "db.sqlite3"),
    "--contact-per-hour", "0", "--allowed-form-origins", origin]);
  browser = await shared.launch();
});

after(async () => {
  await browser?.close();
  nginx?.kill("SIGTERM");
  live?.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const openPage = () => shared.openPage(browser, { viewport: { width: 375, height: 812 } });

describe("the mirror under /mirror/ on nginx", () => {
  for (const { lang, dir: direction } of LANGS) {
    for (const slug of PAGES) {
      const url = `/${lang}/${slug ? slug + "/" : ""}`;
      test(`${url}: loads whole, from the mirror alone, ${direction}, accessible`, async () => {
        const { context, page, problems, requests } = await openPage();
        const response = await page.goto(mirror + url, { waitUntil: "networkidle" });
        assert.equal(response.status(), 200);
        await page.evaluate(() => document.fonts.ready);
        assert.deepEqual(problems, []);
        assert.deepEqual(requests.filter((r) => !r.startsWith(`${mirror}/`)), [], "nothing from another host");
        assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), direction);
        if (lang === "fa") {
          assert.ok(await page.evaluate(() => document.fonts.check("16px Vazirmatn", "سلام")), "Persian text in Vazirmatn");
        } else {
          assert.deepEqual(requests.filter((r) => r.includes("/fonts/")), [], "no Persian font on English pages");
        }
        assert.deepEqual(await axeViolations(page), []);
        await context.close();
      });
    }
  }

  test("the root lets a reader choose a language, in both, accessibly", async () => {
    const { context, page, problems } = await openPage();
    await page.goto(`${mirror}/`, { waitUntil: "networkidle" });
    assert.deepEqual(problems, []);
    const links = await page.$$eval("a", (as) => as.map((a) => [a.closest("[lang]").lang, a.href]));
    assert.deepEqual(links, [
      ["en", `${mirror}/en/index.html`],
      ["fa", `${mirror}/fa/index.html`],
    ]);
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test("a crawl from the root index.html reaches every page in both languages", async () => {
    const { context, page, problems } = await openPage();
    const seen = new Set();
    const queue = [`${mirror}/index.html`];
    while (queue.length) {
      const url = queue.shift();
      if (seen.has(url)) continue;
      seen.add(url);
      await page.goto(url);
      const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.href.split("#")[0]));
      // Pages only (not the font's licence, a text file).
      const pages = hrefs.filter((h) => h.startsWith(`${mirror}/`) && (h.endsWith(".html") || h.endsWith("/")));
      for (const href of pages) if (!seen.has(href)) queue.push(href);
    }
    assert.deepEqual(problems, []);
    for (const { lang } of LANGS) {
      // The thanks page is where a sent form leads (on the live site), never linked to.
      for (const slug of PAGES.filter((p) => p !== "contact/thanks")) {
        const file = `${mirror}/${lang}/${slug ? slug + "/" : ""}index.html`;
        assert.ok(seen.has(file), `${file} reached`);
      }
    }
    await context.close();
  });

  test("a missing page gets the mirror's 404 page, in both languages, styled", async () => {
    const { context, page, requests } = await openPage();
    const response = await page.goto(`${mirror}/fa/no/such/page/`, { waitUntil: "networkidle" });
    assert.equal(response.status(), 404);
    assert.deepEqual(await page.$$eval("section[lang]", (s) => s.map((e) => e.lang)), ["en", "fa"]);
    assert.ok(requests.some((r) => r.includes("/static/site.") && r.endsWith(".css")), "stylesheet asked for");
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("main")).display), "grid", "styled");
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  test("the contact form posts to the live site, which takes it from this mirror", async () => {
    const { context, page } = await openPage();
    await page.goto(`${mirror}/fa/contact/`);
    assert.ok(await page.locator(".mirror-note").isVisible(), "says where the form goes");
    await page.fill("#name", "خواننده");
    await page.fill("#email", "reader@example.org");
    await page.fill("#message", "پیامی از رونوشت سایت");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    assert.equal(page.url(), `${liveBase}/fa/contact/thanks`);
    const listed = execFileSync(BIN, ["messages", "list", "--db", path.join(dir, "db.sqlite3")], { encoding: "utf8" });
    assert.match(listed, /پیامی از رونوشت سایت/);
    await context.close();
  });
});
