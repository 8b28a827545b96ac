// Generated address books for the benches (the contacts CSV as people's spreadsheets give it, DESIGN.md "CSV formats"):
// contact i is P<i>, a first name of FIRST, a last name of LAST followed by a number, and an e-mail made of both.

export const FIRST = ['Anna', 'Bruno', 'Chloé', 'David', 'Émile', 'Fatima', 'Gabriel', 'Hana', 'Igor', 'Julia', 'Karim', 'Léa', 'Marc', 'Nina', 'Omar', 'Paula'];
export const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel'];

/** Rows `from` .. `from + count - 1` of the generated address book, with its header row. */
export function contactsCsv(from: number, count: number): string {
  const rows = ['PersonnelID,FirstName,LastName,Email,Phone,NeedsAccessibility,Notifications,Language,Private,BadgeID'];
  for (let i = from; i < from + count; i++) {
    const f = FIRST[i % FIRST.length]!;
    const l = `${LAST[(i * 7) % LAST.length]!}${i % 97}`;
    rows.push(`P${i},${f},${l},${f.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()}.${i}@example.org,+33 1 ${String(i).padStart(8, '0')},${i % 40 === 0 ? 'yes' : 'no'},email,${i % 3 === 0 ? 'fr' : 'en'},no,B${i}`);
  }
  return rows.join('\r\n') + '\r\n';
}
