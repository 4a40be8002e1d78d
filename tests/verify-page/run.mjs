// verify.html in headless Chromium from file://, on packs made by the real
// `aigis` binary: a good pack (OK), a tampered copy (FAILED, naming the
// file and the rule, word for word as `aigis verify`), and a pack exported
// after retention pruned history (OK, proven from a committed state).
// Usage: node tests/verify-page/run.mjs --aigis target/debug/aigis
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import zlib from "node:zlib";
import assert from "node:assert/strict";

const require = createRequire(resolve("frontend/package.json"));
const { chromium } = require("playwright-core");
const aigis = resolve(process.argv[process.argv.indexOf("--aigis") + 1] || "target/debug/aigis");
const dir = mkdtempSync(join(tmpdir(), "aigis-verify-page-"));
const state = join(dir, "state");
const common = ["--state-dir", state, "--components-dir", resolve("target/wasm32-wasip2/wasm"),
  "--manifest", resolve("manifest.yml")];
const run = (args, opts = {}) =>
  execFileSync(aigis, [...common, ...args], { cwd: dir, encoding: "utf8", ...opts });
const verifyText = (zip) => {
  try {
    return execFileSync(aigis, ["verify", zip], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch (e) {
    return e.stdout;
  }
};

// A demo site: `aigis up --demo` seeds it; stopped once it serves.
async function seed() {
  const up = spawn(aigis, [...common, "up", "--demo", "--port", "0"], { cwd: dir });
  let log = "";
  await new Promise((ok, no) => {
    const t = setTimeout(() => no(new Error("aigis up did not start: " + log)), 120_000);
    const on = (d) => { log += d; if (/http:\/\/127\.0\.0\.1:\d+/.test(log)) { clearTimeout(t); ok(); } };
    up.stdout.on("data", on);
    up.stderr.on("data", on);
    up.on("exit", () => no(new Error("aigis up exited: " + log)));
  }).finally(() => up.kill());
  await new Promise((ok) => (up.exitCode !== null ? ok() : up.on("exit", ok)));
}

// Zip (store only) rewriting, enough to change one entry of a pack.
function entries(zip) {
  const out = [];
  let p = 0;
  while (zip.readUInt32LE(p) === 0x04034b50) {
    const method = zip.readUInt16LE(p + 8), csize = zip.readUInt32LE(p + 18);
    const nlen = zip.readUInt16LE(p + 26), xlen = zip.readUInt16LE(p + 28);
    const name = zip.subarray(p + 30, p + 30 + nlen).toString();
    const raw = zip.subarray(p + 30 + nlen + xlen, p + 30 + nlen + xlen + csize);
    out.push([name, method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw)]);
    p += 30 + nlen + xlen + csize;
  }
  return out;
}
function storedZip(files) {
  const locals = [], centrals = [];
  let off = 0;
  for (const [name, data] of files) {
    const n = Buffer.from(name), crc = zlib.crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(data.length, 18); h.writeUInt32LE(data.length, 22); h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20); c.writeUInt32LE(data.length, 24); c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(off, 42);
    locals.push(h, n, data); centrals.push(c, n);
    off += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals), end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, end]);
}

await seed();
run(["export", "--as", "ada@aigis.example", "-o", "good.zip"]);
const good = join(dir, "good.zip");
const files = entries(readFileSync(good));
const page = files.find(([n]) => n === "verify.html");
assert.ok(page && page[1].length > 100_000, "the pack carries verify.html");
writeFileSync(join(dir, "verify.html"), page[1]);
// Tampered: a grant row the log does not prove, added to grants.csv.
const tampered = files.map(([n, d]) =>
  n === "grants.csv" ? [n, Buffer.concat([d, Buffer.from("g-forged,10000,AIR-1,acct-x,claude,active,,,,,,,,\n")])] : [n, d]);
assert.notDeepEqual(tampered.find(([n]) => n === "grants.csv")[1], files.find(([n]) => n === "grants.csv")[1]);
writeFileSync(join(dir, "tampered.zip"), storedZip(tampered));
// After pruning: retention of 90 days, 100 days on, a sweep, a window back past it.
run(["invoke", "config.setIntake", "--as", "ada@aigis.example", "--payload", JSON.stringify({ auditRetentionDays: 90 })]);
run(["clock", "advance", "100d"]);
run(["export", "--as", "ada@aigis.example", "-o", "before-prune.zip"]);
const swept = run(["sweep", "retention"]);
const from = new Date(JSON.parse(run(["clock", "show"])).nowMillis - 101 * 86_400_000);
run(["export", "--as", "ada@aigis.example", "--from", from.toISOString(), "-o", "pruned.zip"]);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
let passed = 0, failed = 0;
try {
  const ctx = await browser.newContext();
  // No network at all: any request but the page itself fails the test.
  const requests = [];
  ctx.on("request", (r) => { if (!r.url().startsWith("file://")) requests.push(r.url()); });
  const pg = await ctx.newPage();
  await pg.goto("file://" + join(dir, "verify.html"));
  await pg.waitForFunction(() => document.getElementById("version").textContent.startsWith("Verifier: aigis"));
  for (const [zip, ok, check] of [
    ["good.zip", true, () => {}],
    ["tampered.zip", false, async () => {
      const row = await pg.locator("#failure tr").nth(1).locator("td").allTextContents();
      assert.equal(row[1], "grants.csv", String(row));
      assert.ok(row[0].length > 0 && row[5].length > 0, String(row));
    }],
    ["pruned.zip", true, async () => {
      assert.match(await pg.locator("#findings").textContent(), /proven by the fold/);
    }],
  ]) {
    try {
      await pg.setInputFiles("#pack", join(dir, zip));
      await pg.waitForFunction((name) => document.getElementById("verdict").textContent.includes(name), zip);
      const verdict = await pg.locator("#verdict").textContent();
      assert.ok(verdict.startsWith(ok ? "OK" : "FAILED"), `${zip}: ${verdict}`);
      // Word for word what the command line prints.
      assert.equal(await pg.locator("#text").textContent(), verifyText(zip), zip);
      await check();
      console.log(`ok - verify.html on ${zip}: ${verdict}`);
      passed++;
    } catch (e) {
      console.log(`not ok - verify.html on ${zip}: ${e.message}`);
      failed++;
    }
  }
  if (requests.length) { console.log("not ok - the page made requests: " + requests.join(", ")); failed++; }
} finally {
  await browser.close();
}
console.log(`sweep: ${swept.trim().slice(0, 200)}`);
console.log(`verify-page: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
