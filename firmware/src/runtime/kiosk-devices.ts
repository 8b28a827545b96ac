// The kiosk column's person-facing devices as its configuration names them (espeak-ng audio, serial scanner and badge
// reader, the headphone-detect line), or the ones the caller passes instead (the simulator's).
import type { AudioOut } from '../hal/audio.ts';
import type { LineReader, SwitchInput } from '../hal/inputs.ts';
import type { Logger } from '../util/logger.ts';
import type { KioskConfig } from './config.ts';

/** Devices of the kiosk column that the caller provides instead of the configured ones (the simulator's). */
export interface KioskDevices {
  scanner?: LineReader;
  badgeReader?: LineReader;
  headphoneDetect?: SwitchInput;
}

export interface OpenedKioskDevices {
  devices: { audio?: AudioOut; scanner?: LineReader; badgeReader?: LineReader; headphoneDetect?: SwitchInput };
  /** Opened here: the runtime closes them on stop. */
  owned: Array<{ close(): Promise<void> }>;
  ownedAudio: AudioOut | undefined;
}

/**
 * Opens the configured devices the caller did not provide. A reader unplugged at start is logged and the kiosk runs
 * without it (keypad and screen still work); a detect board that is missing the same.
 */
export async function openKioskDevices(k: KioskConfig, given: { audio?: AudioOut; inputs?: KioskDevices }, logger: Logger): Promise<OpenedKioskDevices> {
  const log = logger.child({ module: 'runtime' });
  const out: OpenedKioskDevices = { devices: {}, owned: [], ownedAudio: undefined };
  if (given.audio) out.devices.audio = given.audio;
  else if (k.audio !== 'none') {
    const { EspeakAudioOut } = await import('../hal/espeak-audio.ts');
    const a = typeof k.audio === 'object' ? k.audio : undefined;
    out.ownedAudio = new EspeakAudioOut({
      sink: { kind: 'alsa', ...(a?.device ? { device: a.device } : {}) },
      ...(a?.wordsPerMinute ? { wordsPerMinute: a.wordsPerMinute } : {}),
      ...(a?.volume !== undefined ? { volume: a.volume } : {}),
      logger,
    });
    out.devices.audio = out.ownedAudio;
  }
  const reader = async (kind: 'scanner' | 'badge', provided: LineReader | undefined, cfg: { path: string; baudRate: number } | undefined): Promise<LineReader | undefined> => {
    if (provided) return provided;
    if (!cfg) return undefined;
    const { SerialLineReader, lineReaderPortFactory } = await import('../hal/serial-line-reader.ts');
    const r = new SerialLineReader({ kind, openPort: lineReaderPortFactory(cfg.path, cfg.baudRate), logger });
    r.on('error', (err) => log.warn({ err: err.message, kind }, 'kiosk reader error'));
    await r.open().catch((err: unknown) => log.warn({ err, kind, path: cfg.path }, 'kiosk reader did not open'));
    out.owned.push(r);
    return r;
  };
  const scanner = await reader('scanner', given.inputs?.scanner, k.scanner);
  const badge = await reader('badge', given.inputs?.badgeReader, k.badgeReader);
  if (scanner) out.devices.scanner = scanner;
  if (badge) out.devices.badgeReader = badge;
  if (given.inputs?.headphoneDetect) out.devices.headphoneDetect = given.inputs.headphoneDetect;
  else if (typeof k.headphoneDetect === 'object') {
    const { openHeadphoneDetect } = await import('../kiosk/headphone-detect.ts');
    const detect = await openHeadphoneDetect(k.headphoneDetect, logger);
    out.owned.push(detect);
    out.devices.headphoneDetect = detect;
  }
  return out;
}
