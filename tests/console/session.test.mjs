// How a console session ends, and the console used with the keyboard alone: the token's expiry
// (the page's clock moved past it), an account disabled while signed in (the next API call's
// 401), and sign-in, navigation and a page's form driven by Tab and Enter with a visible focus.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { base, check, cli, newPage, officer, signIn } from './harness.mjs';

const expired = 'Your session has ended. Please sign in again.';

test('the session ends when its token expires: the sign-in form says so', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    // The page's clock is the test's, so the token's lifetime can pass at once.
    await page.clock.install();
    await signIn(page, officer);
    await page.getByText('Signed in as officer').waitFor();
    await page.clock.fastForward('26:00:00');  // past any configured token lifetime
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByRole('status').filter({ hasText: expired }).waitFor();
    assert.equal(await page.getByText('Signed in as officer').count(), 0);
    assert.equal(await page.getByRole('navigation', { name: 'Sections' }).isVisible(), false);
  });
});

test('an account disabled while signed in is signed out at its next request', async (t) => {
  const page = await newPage(t);
  const user = `temp-${Date.now()}`;
  cli('users', 'add', user, '--scope', 'ids:validate', { input: 'temp-pass-1\n' });
  await check(page, t, async () => {
    await signIn(page, [user, 'temp-pass-1']);
    await page.getByRole('navigation').getByRole('link', { name: 'Identifiers' }).click();
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Validate an identifier' }) });
    await form.waitFor();
    cli('users', 'disable', user);
    // The server learns of it at its next revocation refresh (identity.revocation.refresh_ms):
    // keep validating until a request is refused and the console goes back to sign-in.
    const signInHeading = page.getByRole('heading', { level: 1, name: 'Sign in' });
    for (let i = 0; i < 60 && !(await signInHeading.isVisible()); i++) {
      if (await form.isVisible()) {
        await form.getByLabel('Identifier').fill('1111111111');
        await form.getByRole('button', { name: 'Validate' }).click();
      }
      await page.waitForTimeout(250);
    }
    await signInHeading.waitFor({ timeout: 1000 });
    await page.getByRole('status').filter({ hasText: expired }).waitFor();
    assert.equal(await page.getByText(`Signed in as ${user}`).count(), 0);
  });
});

// Presses Tab until the focused element has `name` (its label, text or aria-label); fails after
// `limit` presses. Returns the number of presses.
async function tabTo(page, name, limit = 40) {
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      const label = e?.labels?.[0]?.textContent ?? '';
      return `${label}|${e?.textContent ?? ''}|${e?.getAttribute?.('aria-label') ?? ''}`;
    });
    if (focused.split('|').some((part) => part.trim() === name)) return i;
  }
  assert.fail(`Tab never reached "${name}"`);
}

// The focused element shows where the focus is (an outline from :focus-visible).
async function focusIsVisible(page) {
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused element has a visible outline');
}

test('with the keyboard alone: skip link, sign-in, navigation and a form', async (t) => {
  const page = await newPage(t);
  await check(page, t, async () => {
    await page.goto(`${base}/console/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // The sign-in form takes the focus: type the name, Tab to the password, Enter submits.
    await page.keyboard.type(officer[0]);
    await page.keyboard.press('Tab');
    await focusIsVisible(page);
    await page.keyboard.type(officer[1]);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    // From the top of the page the first Tab reaches the skip link, which moves the focus to
    // the content.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await focusIsVisible(page);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');

    // A section through the navigation, then its form, all by keyboard.
    await page.evaluate(() => document.activeElement?.blur());
    await tabTo(page, 'Identifiers');
    await focusIsVisible(page);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Identifiers' }).waitFor();
    await tabTo(page, 'Identifier');
    await page.keyboard.type('1111111111');
    await page.keyboard.press('Enter');  // submits the validation form
    await page.getByText('1111111111 is not valid:').waitFor();
  });
});
