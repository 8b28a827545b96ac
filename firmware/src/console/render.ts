import type { BoardScanReport, ControllerStatus, DoorView, LockTestReport, NetTestReport, RecordedEvent, UnlockReport } from './backend.ts';

/** `1h02m03s` */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(r).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

function yesNo(v: boolean | null): string {
  return v === null ? '-' : v ? 'yes' : 'no';
}

/** The door table of `status` and the `doors` live view. */
export function renderDoorTable(doors: DoorView[], now: number): string {
  const lines = ['door  state      item  service  note'];
  for (const d of doors) {
    const note: string[] = [];
    if (d.flapping) note.push('sensor flapping');
    if (d.state === 'open' && d.openSince !== undefined) note.push(`open ${formatDuration((now - d.openSince) / 1000)}`);
    lines.push(
      `${String(d.door).padEnd(6)}${d.state.padEnd(11)}${yesNo(d.itemPresent).padEnd(6)}${(d.service === 'in-service' ? 'in' : 'OUT').padEnd(9)}${note.join(', ')}`.trimEnd(),
    );
  }
  return lines.join('\n');
}

export function renderStatus(s: ControllerStatus, now: number): string {
  const out: string[] = [];
  const id = s.bankId || s.controllerId ? `${s.bankId ?? '?'}/${s.controllerId ?? '?'}` : 'unprovisioned';
  out.push(`controller   ${id}   firmware ${s.firmwareVersion}   uptime ${formatDuration(s.uptimeS)}`);
  const boards = s.bus.boards?.length ? `   boards ${s.bus.boards.map((b) => `${b.address}:${b.state}${b.dialect ? ` (${b.dialect})` : ''}`).join(' ')}` : '';
  const busErr = s.bus.lastError ? `   last error: ${s.bus.lastError}` : '';
  const port = s.bus.port === 'closed' ? '   PORT CLOSED (reopening)' : '';
  out.push(`lock bus     ${s.bus.kind} ${s.bus.state}${s.bus.consecutiveFailures ? ` (${s.bus.consecutiveFailures} failures)` : ''}${port}${boards}${busErr}`);
  const l = s.link;
  out.push(`broker       ${l.state}${l.broker ? ` ${l.broker}` : ''}${l.lastError ? `   last error: ${l.lastError}` : ''}`);
  out.push(`outbox       ${l.outboxDepth} event(s) not yet confirmed by the cloud`);
  out.push(`desired      v${l.desiredVersion ?? '-'}   reported v${l.reportedVersion ?? '-'}`);
  out.push(`clock offset ${l.clockOffsetMs === null ? 'unknown (no signed cloud time yet)' : `${l.clockOffsetMs >= 0 ? '+' : ''}${l.clockOffsetMs} ms`}`);
  const open = s.doors.filter((d) => d.state === 'open').length;
  const items = s.doors.filter((d) => d.itemPresent === true).length;
  const oos = s.doors.filter((d) => d.service === 'out-of-service').length;
  out.push(`doors        ${s.doors.length} (${open} open, ${items} with item, ${oos} out of service)`);
  out.push(renderDoorTable(s.doors, now));
  return out.join('\n');
}

export function renderUnlock(r: UnlockReport): string {
  const what: Record<UnlockReport['outcome'], string> = {
    opened: 'opened',
    already_open: 'was already open',
    jammed: 'JAMMED: the lock was pulsed but the door did not open',
    unknown: 'outcome UNKNOWN',
  };
  return `door ${r.door}: ${what[r.outcome]} (${pulseText(r)}${r.reason ? `, ${r.reason}` : ''})`;
}

/** `pulse 500 ms`, or that nothing was sent: an open that energised nothing never shows a pulse. */
function pulseText(r: UnlockReport): string {
  return r.pulseMs === undefined ? 'no pulse sent' : `pulse ${r.pulseMs} ms`;
}

export function renderLockTest(r: LockTestReport): string {
  const verdict = r.outcome === 'opened' ? 'PASS' : r.outcome === 'already_open' ? 'INCONCLUSIVE (door was open)' : 'FAIL';
  return [
    `lock test door ${r.door}: ${verdict}`,
    `  before   sensor ${r.before.state}, item ${yesNo(r.before.itemPresent)}`,
    `  pulse    ${r.pulseMs === undefined ? 'not sent' : `${r.pulseMs} ms`} -> ${r.outcome}${r.openedAfterMs !== undefined ? ` (open after ${r.openedAfterMs} ms)` : ''}${r.reason ? ` (${r.reason})` : ''}`,
    `  after    sensor ${r.after.state}, item ${yesNo(r.after.itemPresent)}`,
  ].join('\n');
}

export function renderScan(r: BoardScanReport): string {
  const out = [`${r.bus}: ${r.found.length} board(s) answered`];
  for (const b of r.found) out.push(`  address ${b.address}: doors ${b.doors.length ? `${b.doors[0]}..${b.doors[b.doors.length - 1]}` : 'none configured'}`);
  if (r.missing.length) out.push(`  MISSING (configured, silent): ${r.missing.join(', ')}`);
  return out.join('\n');
}

export function renderNetTest(r: NetTestReport): string {
  const where = r.broker ? ` ${r.broker}` : '';
  const ms = r.ms !== undefined ? ` in ${r.ms} ms` : '';
  const msg: Record<NetTestReport['result'], string> = {
    connected: `broker${where}: reachable, credentials accepted${ms}`,
    refused: `broker${where}: reachable but REFUSED the credentials${ms}`,
    unreachable: `broker${where}: UNREACHABLE`,
    timeout: `broker${where}: no answer (timeout${ms})`,
    'not-configured': 'broker: not configured',
  };
  return `${msg[r.result]}${r.detail ? ` (${r.detail})` : ''}`;
}

export function renderEvent(e: RecordedEvent): string {
  const { type, ...rest } = e.event;
  const time = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
  return `${time} ${e.seq !== undefined ? `#${e.seq} ` : ''}${type} ${JSON.stringify(rest)}`;
}
