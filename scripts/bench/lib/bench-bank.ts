// A bench bank made through the domain as the console makes one: a kiosk column and plain columns of 40 doors, the
// five sizes in bands (a locker's size follows its door number), no adding to an occupied locker.
import type { CreateLockerInput, LockerService } from '@portier/cloud';

export const SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
/**
 * A column's 40 doors lie in five bands, one per size, eight doors side by side in each. A band is 2 cm taller than
 * its size's compartment. Bottom to top: L, M, S and XS (the last three inside the default reach range), XL on top.
 */
const BANDS: Record<(typeof SIZES)[number], { bottomCm: number; topCm: number }> = {
  L: { bottomCm: 10, topCm: 60 },
  M: { bottomCm: 60, topCm: 94 },
  S: { bottomCm: 94, topCm: 112 },
  XS: { bottomCm: 112, topCm: 122 },
  XL: { bottomCm: 122, topCm: 188 },
};
const DOORS_PER_COLUMN = 40;

/** Bank `bankId` at `locationId` with `lockers` lockers numbered from 1, in columns `<bankId>-col<k>`. */
export async function addBenchBank(s: LockerService, bankId: string, locationId: string, lockers: number, actor: { role: 'admin'; id: string }): Promise<void> {
  await s.createBank({ id: bankId, locationId, name: `Bank ${bankId}`, rules: { addToExistingLocker: false } }, actor);
  const columns = Math.ceil(lockers / DOORS_PER_COLUMN);
  for (let k = 0; k < columns; k++) {
    await s.createColumn({ id: `${bankId}-col${k}`, bankId, position: k + 1, kind: k === 0 ? 'kiosk' : 'plain', controllerId: `${bankId}-ctl${k}` }, actor);
  }
  const all: CreateLockerInput[] = [];
  for (let n = 1; n <= lockers; n++) {
    const size = SIZES[n % SIZES.length]!;
    const k = Math.floor((n - 1) / DOORS_PER_COLUMN);
    all.push({ bankId, number: n, columnId: `${bankId}-col${k}`, door: ((n - 1) % DOORS_PER_COLUMN) + 1, size, ...BANDS[size], loading: 'front' });
  }
  for (let i = 0; i < all.length; i += 2000) await s.createLockers(all.slice(i, i + 2000), actor);
}
