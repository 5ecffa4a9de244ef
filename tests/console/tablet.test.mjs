// The console on a tablet and a small laptop: every page the officer sees, at 768×1024 (a
// tablet held upright; English and the longest labels, French and Catalan) and 1280×800, has
// no horizontal overflow (the page never scrolls sideways: wide tables scroll inside their
// card) and its navigation is on screen. Run after the other tests, the pages hold their data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { accessible, check, newPage, officer, signIn } from './harness.mjs';

const label = (lang, key) => JSON.parse(
  readFileSync(new URL(`../../web/console/i18n/${lang}.json`, import.meta.url), 'utf8'))[key];

// Resolves once `main` has not changed for 400 ms (a page renders, then fills its lists as
// their requests answer), or after 15 s of changes.
async function settled(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const main = document.getElementById('main');
    let quiet;
    const observer = new MutationObserver(() => {
      clearTimeout(quiet);
      quiet = setTimeout(done, 400);
    });
    const stop = setTimeout(done, 15000);
    function done() {
      observer.disconnect();
      clearTimeout(stop);
      resolve();
    }
    observer.observe(main, { childList: true, subtree: true, characterData: true, attributes: true });
    quiet = setTimeout(done, 400);
  }));
}

async function overflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // The widest elements, to say where it overflows.
    culprits: [...document.querySelectorAll('main *, nav *, header *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${el.className}` : ''}: ${el.textContent.slice(0, 40)}`),
  }));
}

const sizes = [
  { width: 768, height: 1024, lang: 'en' },
  { width: 768, height: 1024, lang: 'fr' },
  { width: 768, height: 1024, lang: 'ca' },
  { width: 1280, height: 800, lang: 'en' },
];

for (const { width, height, lang } of sizes) {
  test(`every page at ${width}×${height} (${lang}): no sideways scroll, the navigation on screen`, async (t) => {
    const page = await newPage(t, { viewport: { width, height } });
    await check(page, t, async () => {
      await signIn(page, officer);
      if (lang !== 'en') {
        await page.getByLabel('Language').selectOption(lang);
        // The shell draws itself again in that language: wait for it, not for the old links.
        await page.getByRole('heading', { level: 1, name: label(lang, 'page_overview') }).waitFor();
      }
      const nav = page.getByRole('navigation');
      const hrefs = await nav.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      t.diagnostic(`pages: ${hrefs.join(' ')}`);
      assert.ok(hrefs.length >= 8, `the officer sees every operator page (${hrefs.join(' ')})`);
      for (const href of hrefs) {
        const link = nav.locator(`a[href="${href}"]`);
        // On screen without scrolling sideways: inside the viewport's width.
        const box = await link.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= width, `${href} link within the width`);
        await link.click();
        await page.locator(`nav a[href="${href}"][aria-current="page"]`).waitFor();
        await page.getByRole('heading', { level: 1 }).waitFor();
        await settled(page);
        const o = await overflow(page);
        assert.ok(o.scrollWidth <= o.innerWidth,
          `${href} at ${width}px (${lang}): page ${o.scrollWidth}px wide; ${o.culprits.join(' | ')}`);
      }
      if (width === 768 && lang === 'en') {
        await nav.locator('a[href="#/audit"]').click();
        await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
        await settled(page);
        await accessible(page, 'tablet-audit');
      }
    });
  });
}
