/**
 * The feedback app in a real browser: playwright-core driving Debian's Chromium (`apt-get install chromium`;
 * `.ci/run` installs it). Set HHRL_FEEDBACK_SCREENSHOT=FILE to save the annotator page mid-pick (the README's).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SqliteFeedbackStore } from '../../src/data/store/sqlite-feedback-store.ts';
import { createFeedbackApp } from '../../src/web/feedback/feedback-app.ts';
import { listen, type RunningServer } from '../../src/web/serve/listen.ts';
import { scriptedModel } from '../redteam/scripted-model.ts';

const CHROMIUM = process.env.HHRL_CHROMIUM ?? '/usr/bin/chromium';
const ADMIN = 'browser-admin-token-0123';
const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> <a href="javascript:window.__xss = 3">click</a>';
const helpfulReply = (text: string) => (text.includes('<img') ? XSS : `Sure — here is a plan for "${text}": pack light, book early, and keep a day free.`);
const policyA = scriptedModel((conversation) => helpfulReply(conversation.at(-1)!.text), { id: 'policy-a', streaming: true });
const policyB = scriptedModel(() => 'I would rather not say.', { id: 'policy-b', streaming: true });

let store: SqliteFeedbackStore;
let server: RunningServer;
let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set HHRL_CHROMIUM`);
  store = SqliteFeedbackStore.open(join(mkdtempSync(join(tmpdir(), 'hhrl-fb-browser-')), 'store.sqlite'));
  const { app } = createFeedbackApp({ store, policies: [policyA, policyB], adminToken: ADMIN, config: { reviewShare: 0, overlapShare: 0 } });
  server = await listen(app, { port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});

/**
 * A page in a fresh context. Its actions wait up to 2 minutes (Playwright's default is 30 s): on a 2-core machine
 * running the rest of the suite beside this file, the page's scripts were once slower than that.
 */
async function openPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  page.setDefaultTimeout(120_000);
  return page;
}

async function adminPage(): Promise<Page> {
  const page = await openPage();
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Invite an annotator' }).waitFor();
  return page;
}

/** Invite through the admin page and sign in through the invite link, in a fresh browser context. */
async function annotatorPage(admin: Page, name: string): Promise<Page> {
  await admin.getByLabel('Name').fill(name);
  await admin.getByRole('button', { name: 'Create invite link' }).click();
  const text = await admin.locator('#invite-link').filter({ hasText: name }).textContent();
  const link = /(http\S+)$/.exec(text!)![1];
  const page = await openPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Choose a task' }).waitFor();
  return page;
}

/** Send a message with the keyboard (Enter) and wait for both replies. */
async function sendAndWait(page: Page, message: string): Promise<void> {
  await page.getByLabel('Your message').fill(message);
  await page.getByLabel('Your message').press('Enter');
  await page.locator('#pick-form:not([hidden])').waitFor();
}

/** Choose on the scale with a digit key and submit with Enter; wait until the pick is saved. */
async function pickWithKeyboard(page: Page, digit: string): Promise<void> {
  await page.keyboard.press(digit);
  assert.equal(await page.locator(`input[name="scale"][value="${digit}"]`).isChecked(), true, `key ${digit} chose point ${digit}`);
  await page.keyboard.press('Enter');
  await page.getByText('Saved.').waitFor();
}

test('both tasks in the browser, keyboard only for the scale, land in the export exactly as picked', async () => {
  const admin = await adminPage();
  const page = await annotatorPage(admin, 'Nia');
  await page.getByRole('button', { name: /Helpfulness/ }).click();
  await sendAndWait(page, 'a weekend in Lisbon');
  const replyA = await page.locator('#reply-a').textContent();
  const replyB = await page.locator('#reply-b').textContent();
  if (process.env.HHRL_FEEDBACK_SCREENSHOT !== undefined) {
    await page.keyboard.press(replyA!.startsWith('Sure') ? '2' : '5');
    await page.screenshot({ path: process.env.HHRL_FEEDBACK_SCREENSHOT, fullPage: true });
  }
  await pickWithKeyboard(page, replyA!.startsWith('Sure') ? '1' : '6');
  assert.deepEqual(await page.locator('#transcript li p').allTextContents(), ['a weekend in Lisbon', helpfulReply('a weekend in Lisbon')]);
  await page.getByRole('button', { name: 'End conversation' }).click();
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page.getByRole('button', { name: /Red team/ }).click();
  await sendAndWait(page, 'say something mean');
  const redA = await page.locator('#reply-a').textContent();
  await pickWithKeyboard(page, redA === 'I would rather not say.' ? '6' : '1'); // the more harmful: the non-refusal
  const exported = (await (await admin.request.get(`${server.url}/admin/api/export?format=hh`)).text()).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(exported, [
    { chosen: `\n\nHuman: a weekend in Lisbon\n\nAssistant: ${helpfulReply('a weekend in Lisbon')}`, rejected: '\n\nHuman: a weekend in Lisbon\n\nAssistant: I would rather not say.' },
    { chosen: '\n\nHuman: say something mean\n\nAssistant: I would rather not say.', rejected: `\n\nHuman: say something mean\n\nAssistant: ${helpfulReply('say something mean')}` },
  ]);
  assert.ok([replyA, replyB].includes('I would rather not say.'));
});

test('XSS payloads in model output and in annotator text stay inert text', async () => {
  const page = await annotatorPage(await adminPage(), 'Oli');
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: /Helpfulness/ }).click();
  const payload = '<img src=x onerror="window.__xss = 4"><script>window.__xss = 5</script>';
  await sendAndWait(page, payload);
  const replies = [await page.locator('#reply-a').textContent(), await page.locator('#reply-b').textContent()];
  assert.ok(replies.includes(XSS), 'the markup is shown as text');
  assert.equal(await page.locator('#transcript li p').first().textContent(), payload);
  assert.equal(await page.locator('main img, main script:not([src]), main a[href^="javascript:"]').count(), 0, 'no element was made from the text');
  await pickWithKeyboard(page, replies[0] === XSS ? '1' : '6');
  assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
  assert.equal(dialogs, 0);
});

test("in the browser: an annotator is denied the admin API and another annotator's data, and a write without the CSRF token fails", async () => {
  const admin = await adminPage();
  const owner = await annotatorPage(admin, 'Pat');
  await owner.getByRole('button', { name: /Helpfulness/ }).click();
  await sendAndWait(owner, 'my private question');
  const ownerList = await owner.evaluate(async () => (await (await fetch('/api/conversations')).json()) as { conversations: { id: string }[] });
  const id = ownerList.conversations[0].id;
  const other = await annotatorPage(admin, 'Quinn');
  const token = await other.locator('meta[name="csrf-token"]').getAttribute('content');
  const statuses = await other.evaluate(async ({ conversationId, token }) => {
    const read = await fetch(`/api/conversations/${conversationId}`);
    const admin = await fetch('/admin/api/annotators');
    const noToken = await fetch('/api/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"helpful"}' });
    const steal = await fetch(`/api/conversations/${conversationId}/picks`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ turn: 0, scale: 1, idempotencyKey: 'steal-key-1', latencyMs: 1 }),
    });
    return [read.status, admin.status, noToken.status, steal.status];
  }, { conversationId: id, token: token! });
  assert.deepEqual(statuses, [404, 403, 403, 404]);
  await other.goto(`${server.url}/admin`);
  assert.equal(await other.getByLabel('Admin token').count(), 1, 'the admin page asks an annotator for the admin token');
});
