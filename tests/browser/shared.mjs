// What the browser tests share: the binary and Chromium they use, free loopback ports, the
// site started on one, a page that records every problem and every URL it asks for, and
// axe-core's WCAG 2.1 A/AA rules.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = process.env.SCDI_BIN ?? path.join(ROOT, "target/release/scdi-site");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `scdi-site serve` with `args`, once it says it serves. */
export async function startSite(args) {
  const server = spawn(BIN, ["serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, RUST_LOG: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start")), 30_000);
    server.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    server.stdout.on("data", (chunk) => {
      if (chunk.toString().includes("serving addr=")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return server;
}

/** Debian's Chromium, headless, as playwright-core drives it here. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** A page that records console errors, failed requests and every URL asked. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => requests.push(req.url()));
  page.on("requestfailed", (req) => problems.push(`failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page, problems, requests };
}

/** axe-core's violations of the WCAG 2.1 A and AA rules, one line each. */
export async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}
