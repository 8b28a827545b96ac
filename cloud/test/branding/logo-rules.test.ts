// The rules under branding, without the API: WCAG 2.x contrast (known ratios), the PNG structure check, and the SVG
// reader's output (what is stored is re-written from what was checked: nothing it did not understand survives).
import t from 'tap';
import { contrastProblems, contrastRatio, formatRatio } from '../../src/branding/contrast.ts';
import { checkPng } from '../../src/branding/png-check.ts';
import { checkSvg } from '../../src/branding/svg-check.ts';
import { GOOD_SVG, pngOf } from './logo-files.ts';

t.test('contrast by the WCAG 2.x formula', async (t) => {
  t.equal(formatRatio(contrastRatio('#000000', '#ffffff')), '21.00:1', 'black on white');
  t.equal(formatRatio(contrastRatio('#ffffff', '#ffffff')), '1.00:1', 'a colour on itself');
  t.equal(contrastRatio('#FFFFFF', '#000000'), contrastRatio('#000000', '#ffffff'), 'either order, either case');
  t.equal(formatRatio(contrastRatio('#767676', '#ffffff')), '4.54:1', 'the lightest grey that passes on white');
  t.equal(formatRatio(contrastRatio('#777777', '#ffffff')), '4.47:1', 'rounded down: never shown as passing');
  const problems = contrastProblems({ primary: '#ffffff', onPrimary: '#eeeeee', background: '#000000', text: '#111111' });
  t.same(problems.map((p) => p.field), ['onPrimary', 'text'], 'every pair below 4.5:1, by its text colour');
});

t.test('PNG: the dimensions read from its header', async (t) => {
  t.same(checkPng(pngOf(300, 100)), { width: 300, height: 100 });
  t.match(checkPng(pngOf(0, 10)), { problem: /0 × 10 pixels/ });
});

t.test('SVG: written out again from what was read', async (t) => {
  const r = checkSvg(Buffer.from(GOOD_SVG));
  t.ok('svg' in r);
  if (!('svg' in r)) return;
  const out = r.svg.toString();
  t.equal(
    out,
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" role="img" aria-label="Acme"><title>Acme &amp; Co</title><defs><linearGradient id="g"><stop offset="0" stop-color="#004080"/></linearGradient></defs><rect width="120" height="40" fill="url(#g)"/><text x="10" y="28" fill="#fff" style="font-weight:bold">Acme</text></svg>',
  );
  const again = checkSvg(r.svg);
  t.ok('svg' in again && again.svg.equals(r.svg), 'reading the output again gives the same bytes');
  const noNs = checkSvg(Buffer.from('<svg viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'));
  t.match('svg' in noNs ? noNs.svg.toString() : '', /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox/, 'the SVG namespace added, so a browser draws it');
  const chars = checkSvg(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><text>&#x3C;script&#62;</text></svg>'));
  t.match('svg' in chars ? chars.svg.toString() : '', '<text>&lt;script&gt;</text>', 'character references stay text');
  t.match(checkSvg(Buffer.from([0x3c, 0x73, 0xff])), { problem: /not UTF-8/ });
  const deep = '<g>'.repeat(70) + '</g>'.repeat(70);
  t.match(checkSvg(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${deep}</svg>`)), { problem: /nested more than 64 deep/ });
});
