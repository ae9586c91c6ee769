// Drives the gateway's live dashboard in headless Chromium (Debian's, through playwright-core):
// waits for the route's instances, checks that a switch without the token is refused on the page,
// switches the strategy with it, waits until one instance takes (nearly) all requests, takes a
// screenshot, switches back. Prints one JSON line for the Java test to check.
//   node dashboard.mjs URL TOKEN ROUTE FROM TO SCREENSHOT
import { chromium } from 'playwright-core';

const [url, token, route, from, to, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const result = { errors: [], foreign: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const origin = new URL(url).origin;
  page.on('pageerror', (error) => result.errors.push(String(error)));
  page.on('console', (message) => {
    // The switch without the token is refused on purpose: Chromium logs that 401 as an error.
    const refusal = message.location().url.includes('/actuator/balancing/') && message.text().includes('401');
    if (message.type() === 'error' && !refusal) result.errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) result.foreign.push(request.url());
  });
  await page.goto(url);
  const rows = `table[data-route="${route}"] tr[data-instance]`;
  const shares = () => page.$$eval(rows, (found) => found.map((row) => ({
    name: row.dataset.instance, share: Number(row.dataset.share) })));
  const message = `section[data-route="${route}"] .message`;
  const select = `select[data-route="${route}"]`;

  // Both instances listed, by their own names, each with part of the load.
  await page.waitForFunction((selector) => {
    const found = [...document.querySelectorAll(selector)];
    return found.length >= 2 && found.every((row) => Number(row.dataset.share) > 0.2);
  }, rows, { timeout: 30000 });
  result.before = await shares();
  result.live = await page.textContent('#connection');

  // Without the token the switch is refused, and the page says why.
  await page.selectOption(select, to);
  await page.waitForFunction((selector) => /^\d{3}:/.test(document.querySelector(selector).textContent),
    message, { timeout: 10000 });
  result.refused = await page.textContent(message);

  await page.fill('#token', token);
  await page.dispatchEvent('#token', 'change');
  // The refused switch changed nothing: the page shows the route's strategy again.
  await page.waitForFunction(({ selector, name }) => document.querySelector(selector).value === name,
    { selector: select, name: from }, { timeout: 10000 });
  await page.selectOption(select, to);
  await page.waitForFunction(({ selector, name }) => document.querySelector(selector).textContent === 'now ' + name,
    { selector: message, name: to }, { timeout: 10000 });
  result.switched = await page.textContent(message);
  // The shares move: one client under ip-hash is one instance's.
  await page.waitForFunction((selector) => [...document.querySelectorAll(selector)]
    .some((row) => Number(row.dataset.share) >= 0.9), rows, { timeout: 30000 });
  result.after = await shares();
  result.strategy = await page.getAttribute(`section[data-route="${route}"]`, 'data-strategy');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: screenshot, fullPage: true });

  // Back to where it was, for the tests that follow.
  await page.selectOption(select, from);
  await page.waitForFunction(({ selector, name }) => document.querySelector(selector).textContent === 'now ' + name,
    { selector: message, name: from }, { timeout: 10000 });
  result.restored = await page.textContent(message);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
