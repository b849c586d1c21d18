// Drives the workbench in headless Chromium (playwright-core) as a user
// would; run by TestBrowser (workbench/browser_test.go), which serves the
// workbench over the simulator and checks the simulator afterwards.
// Environment: XCP_URL (page address with token), XCP_BASE (origin),
// CHROMIUM (browser binary), SHOTS (directory for screenshots).
import { chromium } from "playwright-core";
import http from "node:http";

const url = process.env.XCP_URL, base = process.env.XCP_BASE, shots = process.env.SHOTS;
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };

function request(path, headers, method = "GET", body = "") {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, body: data }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => fail("page error: " + e.message));
  await page.goto(url);
  if (new URL(page.url()).search !== "") fail("the token stays in the address bar: " + page.url());
  await page.waitForFunction(() => document.getElementById("slave").textContent.includes("goxcp_sim"), null, { timeout: 15000 });

  // Find a signal, watch it on the 1 ms event, see its live plot update.
  await page.fill("#event", "1ms");
  await page.fill("#search", "sine");
  await page.click('#objects li[data-name="waves.sine"]');
  await page.waitForSelector("#watchbtn");
  await page.click("#watchbtn");
  await page.waitForFunction(() => {
    const u = document.querySelector("#charts .uplot");
    return u && Number(u.dataset.updates) > 10 && Number(u.dataset.points) > 10;
  }, null, { timeout: 20000 });
  const n1 = await page.$eval("#charts .uplot", (u) => Number(u.dataset.updates));
  await page.waitForTimeout(500);
  const n2 = await page.$eval("#charts .uplot", (u) => Number(u.dataset.updates));
  if (!(n2 > n1)) fail(`the live plot does not update (${n1} -> ${n2})`);
  const row = await page.textContent('#livetable tr[data-name="waves.sine"]');
  if (!row) fail("no live table row for waves.sine");
  // Pause freezes the plot.
  await page.click("#pause");
  const p1 = await page.$eval("#charts .uplot", (u) => Number(u.dataset.updates));
  await page.waitForTimeout(400);
  const p2 = await page.$eval("#charts .uplot", (u) => Number(u.dataset.updates));
  if (p2 !== p1) fail("the plot moves while paused");
  await page.click("#pause");
  if (shots) await page.screenshot({ path: shots + "/workbench-live.png" });

  // Calibrate: write amplitude = 42 through the table editor.
  await page.fill("#search", "amplitude");
  await page.click('#objects li[data-name="amplitude"]');
  await page.waitForSelector("#caltable input.v");
  await page.fill("#caltable input.v", "42");
  await page.click("#write");
  await page.waitForFunction(() => document.getElementById("toast").textContent.includes("written and verified"), null, { timeout: 10000 });
  // A value beyond the limits is refused with a message.
  await page.waitForSelector("#caltable input.v");
  await page.fill("#caltable input.v", "1e12");
  await page.click("#write");
  await page.waitForFunction(() => { const t = document.getElementById("toast"); return t.className === "err" && t.textContent.length > 0; }, null, { timeout: 10000 });

  // A curve as a table of physical values with its axis.
  await page.fill("#search", "idle_curve");
  await page.click('#objects li[data-name="idle_curve"]');
  await page.waitForSelector("#caltable input.ax0");
  if (shots) await page.screenshot({ path: shots + "/workbench-calibration.png" });

  // Security, as another site or a script without the token would try.
  const noToken = await request("/api/info", {});
  if (noToken.status !== 401) fail("a request without the token got " + noToken.status);
  const foreign = await request("/api/write", { "X-XCP-Token": process.env.XCP_TOKEN, Origin: "http://evil.example", "Content-Type": "application/json" }, "POST", '{"name":"amplitude","values":["1"]}');
  if (foreign.status !== 403) fail("a write with a foreign Origin got " + foreign.status);
  const other = await browser.newPage();
  const resp = await other.goto(base.replace("127.0.0.1", "127.0.0.2") + "/?token=" + process.env.XCP_TOKEN).catch(() => null);
  if (resp && resp.status() !== 403) fail("the page answered under another host name: " + resp.status());
  console.log("OK");
} finally {
  await browser.close();
}
