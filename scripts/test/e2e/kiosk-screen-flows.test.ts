// End to end through the kiosk's touch screen: a real headless Chromium on the page the kiosk controller serves, the
// real kiosk engine on the simulated bank, the whole cloud. Each flow is driven by touches on the page (keypad,
// on-screen keyboard, options; the scanner and a person shutting a door are the simulator's), and checks the door that
// opened in the simulator, what the page shows (its page, the lockers and where they are) and what the cloud stored
// (transactions, locker statuses). One world for the file, the flows in sequence on it, each ending home with every
// door shut:
// 1. a pickup by the code typed on the on-screen keypad;
// 2. several parcels for one recipient under one code, the rest opened by "Open all my lockers";
// 3. an operator's drop-off by tracking ID typed on the on-screen keyboard into the reserved locker;
// 4. a carrier signed in by the QR code on the scan page, delivering into a free locker of a size chosen by touch;
// 5. day-use storage started (size, hours, PIN twice) and ended with the PIN typed on the home page;
// 6. the enterprise's branding set through the API, drawn from the kiosk controller's cache.
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { api, expectCondition } from './helpers.ts';
import {
  carrierCodeOnKiosk,
  desiredOf,
  doorOfLocker,
  doorsOpen,
  droppedParcel,
  eventStored,
  kioskState,
  lockerOfDoor,
  lockerStatus,
  pickupStored,
  reserveParcel,
  runInMorningTimeZone,
  storedTransactions,
  txStored,
  type KioskWorld,
} from './kiosk-world.ts';
import { pngOf } from '../../../cloud/test/branding/logo-files.ts';
import { axeViolations, lockerDrawn, lockersDrawn, onPage, operatorScreenWorld, screenText, skipWithoutChromium, touchKey, touchOption, typeCode } from './screen-world.ts';

// A storage of 2 hours must not run into the end of the storage day (22:00 local on the kiosk).
runInMorningTimeZone();

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh'];
const STORAGE_PIN = '860412';

/** What the page says of a locker of the kiosk column (column 1): "locker 3, column 1, third door from the top". */
function whereOf(w: KioskWorld, locker: number): string {
  const d = desiredOf(w).doors.find((x) => x.locker === locker);
  if (!d) throw new Error(`locker ${locker} is not in the kiosk column`);
  return `locker ${locker}, column 1, ${ORDINALS[d.fromTop - 1]} door from the top`;
}

/** Touches each character of `text` on the on-screen keyboard, then its Enter; returns what the field showed before Enter. */
async function typeOnKeyboard(page: Page, text: string): Promise<string> {
  const keyboard = page.locator('.keyboard');
  for (const ch of text) await keyboard.getByRole('button', { name: ch, exact: true }).click();
  const typed = await page.inputValue('#text-entry');
  await keyboard.locator('.key-enter').click();
  return typed;
}

const openDoors = (w: KioskWorld): number[] => doorsOpen(w.bank).map((d) => Number(d.split('/')[1])).sort((a, b) => a - b);

t.test('the kiosk flows driven by touches on the screen', { skip: skipWithoutChromium }, async (t) => {
  // Lockers 1-5 of the kiosk column only (S, S, M, M, L); a second parcel for a recipient goes into a locker of its
  // own. The flows spread over the lockers so that no door opens and shuts six times within five seconds: the door
  // controller would take its sensor for flapping and report no more closes.
  const w = await operatorScreenWorld(t, { rules: { addToExistingLocker: false } });
  const kiosk = w.bank.kiosk!;
  const { page, errors } = await w.open();
  await onPage(page, 'home');

  /**
   * One flow as a subtest. It ends on the kiosk's home page with every door shut and nothing wrong on the page; a flow
   * that failed half-way is ended (doors shut, the session ended as the cloud's end-session command does) so that the
   * next flow starts from home all the same.
   */
  const flow = (name: string, fn: (t: Test) => Promise<void>) =>
    t.test(name, async (t) => {
      t.teardown(async () => {
        w.bank.closeAllDoors();
        if (kiosk.engine.screen.page !== 'home') await kiosk.engine.endSession();
      });
      await fn(t);
      await onPage(page, 'home');
      t.same(doorsOpen(w.bank), [], 'every door shut');
      t.same(errors.splice(0), [], 'no script error or refused resource on the page');
    });

  await flow('1. pickup by the code touched on the keypad', async (t) => {
    const pkg = await droppedParcel(t, w, 'SCREEN-PICKUP-1');
    for (const d of pkg.code) await touchKey(page, d);
    await page.waitForSelector(`#entry:text-is("${'•'.repeat(pkg.code.length)}")`, { timeout: 3000 });
    t.pass('the code touched shows as dots, never in clear');
    await touchKey(page, 'enter');
    await onPage(page, 'pickup');
    await kiosk.column.expectDoor(pkg.door, true);
    t.same(doorsOpen(w.bank), [`1/${pkg.door}`], `only locker ${pkg.locker} opened`);
    await lockerDrawn(page, pkg.locker, 'open');
    t.same(await lockersDrawn(page), [{ locker: pkg.locker, state: 'open', where: whereOf(w, pkg.locker) }], 'the page names the open locker and where it is');
    t.match(await screenText(page), `Open now: ${whereOf(w, pkg.locker)}.`);
    const tx = await pickupStored(w, pkg.reservationId);
    t.match(tx, { kind: 'pickup', doors: [pkg.door], offline: false, actor: { role: 'recipient', id: 'alice' } }, 'the cloud stored the pickup');
    await lockerStatus(w, pkg.locker, 'available');

    // The recipient takes the parcel, shuts the door, touches "I am done".
    kiosk.column.door(pkg.door).close();
    await lockerDrawn(page, pkg.locker, 'closed');
    await touchOption(page, 'done');
    await page.waitForSelector('#notice:text-is("Thank you. Goodbye.")', { timeout: 3000 });
    t.pass('the page says goodbye');
  });

  await flow('2. several parcels under one code: the first opens, "Open all my lockers" opens the rest', async (t) => {
    // Three parcels for alice, each with its own code; with several packages per code (the bank's default) any of
    // them opens all of alice's parcels.
    const parcels = [await droppedParcel(t, w, 'SCREEN-MULTI-A'), await droppedParcel(t, w, 'SCREEN-MULTI-B'), await droppedParcel(t, w, 'SCREEN-MULTI-C')];
    const doors = parcels.map((p) => p.door).sort((a, b) => a - b);
    t.equal(new Set(doors).size, 3, 'three lockers');
    await typeCode(page, parcels[1]!.code);
    await onPage(page, 'pickup');
    await kiosk.column.expectDoor(doors[0]!, true);
    t.same(openDoors(w), [doors[0]], 'the first locker opened');
    t.same((await lockersDrawn(page)).map((l) => l.locker).sort((a, b) => a - b), parcels.map((p) => p.locker).sort((a, b) => a - b), 'the page lists all three lockers');
    t.match(await screenText(page), '2 more lockers to open.');
    t.ok(await page.isVisible('[data-option="open-all"]'), '"Open all my lockers" offered');

    await touchOption(page, 'open-all');
    await expectCondition(() => openDoors(w).length === 3, 3000, 'all three doors open');
    t.same(openDoors(w), doors, 'the other two opened at once');
    for (const p of parcels) await lockerDrawn(page, p.locker, 'open');
    const drawn = await lockersDrawn(page);
    for (const p of parcels) t.match(drawn.find((l) => l.locker === p.locker), { state: 'open', where: whereOf(w, p.locker) }, `locker ${p.locker} drawn open, where it is`);
    t.notOk(await page.isVisible('[data-option="open-all"]'), 'nothing left to open');

    for (const p of parcels) await pickupStored(w, p.reservationId);
    const ids = parcels.map((p) => p.reservationId);
    const pickups = (await storedTransactions(w)).filter((x) => x.kind === 'pickup' && x.reservationIds.some((id) => ids.includes(id)));
    t.same(
      pickups.map((x) => [...x.doors].sort((a, b) => a - b)),
      [[doors[0]], doors.slice(1)],
      'two pickups stored: the first locker, then the other two together',
    );
    for (const p of parcels) await lockerStatus(w, p.locker, 'available');
    t.pass('the three lockers are available in the cloud');

    w.bank.closeAllDoors();
    for (const p of parcels) await lockerDrawn(page, p.locker, 'closed');
    await touchOption(page, 'done');
  });

  await flow('3. operator drop-off by tracking ID typed on the on-screen keyboard', async (t) => {
    const tracking = 'TRK-7Q42';
    const held = await reserveParcel(t, w, { trackingId: tracking, size: 'L' }, 'a parcel reserved through the API');
    await expectCondition(() => kioskState(w)?.reservations.some((r) => r.id === held.reservationId) ?? false, 5000, 'the reservation reaches the kiosk');
    const door = doorOfLocker(w, held.locker);

    await typeCode(page, w.pin);
    await onPage(page, 'staff-menu');
    await touchOption(page, 'dropoff');
    await onPage(page, 'dropoff-tracking');
    t.equal(await typeOnKeyboard(page, tracking), tracking, 'the field shows the tracking ID as touched');
    await onPage(page, 'dropoff-open');
    await kiosk.column.expectDoor(door, true);
    t.same(doorsOpen(w.bank), [`1/${door}`], `only the reserved locker ${held.locker} opened`);
    await lockerDrawn(page, held.locker, 'open');
    t.same(await lockersDrawn(page), [{ locker: held.locker, state: 'open', where: whereOf(w, held.locker) }], 'the page names the reserved locker and where it is');

    // The operator puts the parcel in and shuts the door.
    kiosk.column.door(door).close();
    await kiosk.column.expectDoor(door, false);
    await lockerDrawn(page, held.locker, 'closed');
    t.match(await screenText(page), `Locker ${held.locker} is closed.`);
    const ev = await eventStored(w, 'the drop-off stored by the cloud', (e) => e.type === 'transaction' && e.kind === 'drop-off');
    t.match(ev, { doors: [door], reservationIds: [held.reservationId], trackingIds: [tracking], actor: { role: 'operator', id: w.operatorId } });
    await lockerStatus(w, held.locker, 'occupied');
    const r = (await api(w.cloud, 'GET', `/reservations/${held.reservationId}`, w.token)).json.reservation;
    t.match(r, { status: 'occupied', lockerNumber: held.locker }, 'the parcel is dropped off in the cloud');

    await touchOption(page, 'back');
    await onPage(page, 'staff-menu');
    await touchOption(page, 'sign-out');
  });

  await flow('4. carrier delivery signed in by the QR code on the scan page, the size chosen by touch', async (t) => {
    const { code } = await carrierCodeOnKiosk(t, w);
    await touchOption(page, 'scan');
    await onPage(page, 'scan');
    await kiosk.scanner.scan(code);
    await onPage(page, 'dropoff-tracking');
    t.equal(kiosk.engine.screen.role, 'carrier', 'the scanned code signed the carrier in');
    t.equal(await page.textContent('#title'), 'Carrier delivery', 'the page says so');
    await touchOption(page, 'choose-size');
    await onPage(page, 'choose-size');
    t.ok(await page.isVisible('[data-option="size-M"]'), 'size M is offered (lockers 3 and 4 are free)');
    await touchOption(page, 'size-M');
    await onPage(page, 'dropoff-open');
    await expectCondition(() => openDoors(w).length === 1, 3000, 'a door open');
    const [door] = openDoors(w);
    const locker = lockerOfDoor(w, door!);
    t.equal(desiredOf(w).doors.find((d) => d.door === door)?.size, 'M', `locker ${locker} is of the size touched`);
    await lockerDrawn(page, locker, 'open');
    t.same(await lockersDrawn(page), [{ locker, state: 'open', where: whereOf(w, locker) }], 'the page names the locker and where it is');

    kiosk.column.door(door!).close();
    await lockerDrawn(page, locker, 'closed');
    const tx = await txStored(w, 'the carrier delivery', (x) => x.kind === 'carrier-delivery');
    t.match(tx, { doors: [door], actor: { role: 'carrier', id: 'demo-carrier' } });
    await lockerStatus(w, locker, 'occupied');
    t.pass(`locker ${locker} is occupied in the cloud`);
    t.match(w.cloud.service.store.list('reservations').find((x) => x.lockerNumber === locker && x.status === 'occupied'), { dropOffParty: { type: 'carrier', id: 'demo-carrier' } });

    await touchOption(page, 'sign-out');
  });

  await flow('5. day-use storage started by touch and ended with its PIN', async (t) => {
    await touchOption(page, 'storage');
    await onPage(page, 'storage-size');
    t.ok(await page.isVisible('[data-option="size-M"]'), 'size M is offered (locker 4 is free)');
    await touchOption(page, 'size-M');
    await onPage(page, 'storage-duration');
    await touchOption(page, 'chosen');
    await onPage(page, 'storage-hours');
    await typeCode(page, '2');
    await onPage(page, 'storage-pin');
    await typeCode(page, STORAGE_PIN);
    await onPage(page, 'storage-pin-confirm');
    await typeCode(page, STORAGE_PIN);
    await onPage(page, 'storage-open');
    await expectCondition(() => openDoors(w).length === 1, 3000, 'a door open');
    const [door] = openDoors(w);
    const locker = lockerOfDoor(w, door!);
    await lockerDrawn(page, locker, 'open');
    t.same(await lockersDrawn(page), [{ locker, state: 'open', where: whereOf(w, locker) }], 'the page names the storage locker and where it is');
    t.match(await screenText(page), /Your storage ends at \d\d:\d\d\./);
    const start = await txStored(w, 'storage-start', (x) => x.kind === 'storage-start');
    t.match(start, { doors: [door], actor: { role: 'recipient' } });
    await lockerStatus(w, locker, 'occupied');
    t.pass(`locker ${locker} occupied in the cloud`);

    kiosk.column.door(door!).close();
    await lockerDrawn(page, locker, 'closed');
    await touchOption(page, 'done');
    await onPage(page, 'home');

    // Later: the PIN on the home keypad, "End my storage".
    await typeCode(page, STORAGE_PIN);
    await onPage(page, 'storage-active');
    t.same((await lockersDrawn(page)).map((l) => l.locker), [locker], 'the page names the stored locker');
    t.equal(await page.textContent('[data-option="end"] .option-label'), 'End my storage');
    await touchOption(page, 'end');
    await onPage(page, 'storage-open');
    await kiosk.column.expectDoor(door!, true);
    t.same(doorsOpen(w.bank), [`1/${door}`], 'the storage locker opened for the belongings');
    t.match(await screenText(page), 'Your storage has ended.');
    const end = await txStored(w, 'storage-end', (x) => x.kind === 'storage-end');
    t.match(end, { doors: [door], reservationIds: start.reservationIds });
    await lockerStatus(w, locker, 'available');
    t.pass(`locker ${locker} is available in the cloud again`);

    kiosk.column.door(door!).close();
    await lockerDrawn(page, locker, 'closed');
    await touchOption(page, 'done');
  });

  await flow("6. the enterprise's branding set through the API is drawn: its colours and its logo, read from the controller's cache", async (t) => {
    const me = (await api(w.cloud, 'GET', '/auth/me', w.token)).json as { enterpriseId?: string; user?: { enterpriseId: string } };
    const enterpriseId = me.user?.enterpriseId ?? me.enterpriseId!;
    const png = pngOf(120, 40);
    const up = await fetch(`${w.cloud.httpUrl}/api/v1/enterprises/${enterpriseId}/branding/logos`, { method: 'POST', headers: { authorization: `Bearer ${w.token}`, 'content-type': 'image/png' }, body: png });
    t.equal(up.status, 201, 'logo uploaded');
    const { logo } = (await up.json()) as { logo: { sha256: string } };
    const colours = { primary: '#6a1b4d', onPrimary: '#ffffff', background: '#fffdf5', text: '#222222' };
    const set = await api(w.cloud, 'PUT', `/enterprises/${enterpriseId}/branding`, w.token, { colours, logo: logo.sha256 });
    t.equal(set.status, 200, 'branding set');
    const branding = w.bank.kiosk!.column.controller.branding!;
    await expectCondition(() => branding.current()?.logo?.sha256 === logo.sha256, 10_000, 'the kiosk controller fetched and verified the logo');
    await page.waitForSelector('#brand:not([hidden]) #logo[src]');
    const drawn = (await page.evaluate(`({
      primary: getComputedStyle(document.documentElement).getPropertyValue('--primary').trim(),
      option: getComputedStyle(document.querySelector('[data-option="scan"]')).backgroundColor,
      body: getComputedStyle(document.body).backgroundColor,
      logo: document.getElementById('logo').getAttribute('src'),
    })`)) as Record<string, string>;
    t.same(drawn, { primary: colours.primary, option: 'rgb(106, 27, 77)', body: 'rgb(255, 253, 245)', logo: `/logo/${logo.sha256}` }, 'the colours applied, the logo from the controller');
    const width = await page.evaluate(`(() => { const img = document.getElementById('logo'); return img.decode().then(() => img.naturalWidth); })()`);
    t.equal(width, 120, 'the logo is drawn');
    t.same(await axeViolations(page), [], 'the branded page passes axe (contrast included)');
    const reset = await api(w.cloud, 'DELETE', `/enterprises/${enterpriseId}/branding`, w.token);
    t.equal(reset.status, 200, 'branding removed');
    await page.waitForSelector('#brand[hidden]', { state: 'attached' });
    t.pass('without branding the built-in look is back');
  });

  w.rec.expectSchemasMatched(t);
});
