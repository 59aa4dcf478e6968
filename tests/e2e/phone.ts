// What a 360 px phone shows, checked as an agent would see it: nothing makes the
// page scroll sideways, every control is big enough for a thumb and shows its
// label whole, and no stable code (a category code such as `umkm`, a field name
// such as `birth_date`, a problem code such as `nik.length`) reaches the screen.
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

export const phone = { width: 360, height: 740 };

/** Codes that are not words of either language: they must never be read. */
const CODE_WORDS = ['umkm', 'bpd', 'lkd', 'rt_rw', 'perangkat_desa', 'funding_source', 'birth_date', 'with_jht'];

/** What is wrong with the screen as shown, one line each. */
export async function problems(page: Page): Promise<string[]> {
  return page.evaluate((codeWords) => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth) found.push(`scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
    const controls = document.querySelectorAll<HTMLElement>(
      'button, select, input:not([type=checkbox]):not([type=radio]), a.button',
    );
    for (const control of controls) {
      const box = control.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown
      const name = control.dataset.testid ?? control.textContent?.trim().slice(0, 30) ?? control.tagName;
      if (box.height < 44) found.push(`${name}: ${Math.round(box.height)} px high`);
      // A text field scrolls what was typed; a button, a select or a link must show its label whole.
      const scrolls = control instanceof HTMLInputElement;
      if (!scrolls && control.scrollWidth > control.clientWidth + 1) found.push(`${name}: its text is cut`);
      if (box.right > window.innerWidth + 0.5) found.push(`${name}: reaches past the screen's edge`);
    }
    // Anything laid out past the right edge (a badge pushed out by a long name).
    for (const element of document.body.querySelectorAll<HTMLElement>('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > window.innerWidth + 0.5 && getComputedStyle(element).position !== 'fixed') {
        const name = element.dataset.testid ?? `${element.tagName.toLowerCase()}.${element.className}`;
        found.push(`${name}: ends at ${Math.round(box.right)} px`);
        break;
      }
    }
    // A key id (`code.kid`: random base64url, shown so that the office can compare
    // it) is no code, whatever letters and underscores it happens to hold.
    let text = document.body.innerText;
    for (const kid of document.querySelectorAll<HTMLElement>('code.kid')) {
      if (kid.innerText) text = text.split(kid.innerText).join(' ');
    }
    const codes = new Set<string>();
    // `nik.length`, `region.code_format`; not an abbreviation such as "e.g".
    for (const match of text.matchAll(/\b[a-z]{2,}(?:\.[a-z_]{2,})+\b/g)) codes.add(match[0]);
    for (const match of text.matchAll(/\b[a-z]+_[a-z_]+\b/g)) codes.add(match[0]);
    for (const word of codeWords) if (new RegExp(`\\b${word}\\b`).test(text)) codes.add(word);
    for (const code of codes) found.push(`a code on screen: ${code}`);
    return found;
  }, CODE_WORDS);
}

/** Asserts that the screen, named `what` in the failure, has no problem. */
export async function expectFitsPhone(page: Page, what: string) {
  expect(await problems(page), what).toEqual([]);
}
