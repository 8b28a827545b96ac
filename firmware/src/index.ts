// The firmware's public face: the controller runtime (what `portier-controller run` starts), its configuration, the
// kiosk engine and the glue that attaches kiosk hardware to it, the message catalogues, and the append-only log the
// benchmarks measure. Hardware seams are the other entry, `@portier/firmware/hal`.
export { startController, FIRMWARE_VERSION, type RunningController, type RuntimeEventMap, type StartControllerOptions, type KioskDevices } from './runtime/controller-runtime.ts';
export { validateRuntimeConfig, loadRuntimeConfig, type RuntimeConfig, type RuntimeValidation } from './runtime/config.ts';
export {
  KioskEngine,
  DesiredStateCredentials,
  attachKioskInputs,
  type KioskEngineOptions,
  type KioskInputs,
  type InputTarget,
  type KioskDoorPort,
  type KioskDoorEvent,
  type DesiredStatePort,
  type CredentialPort,
  type EventSink,
  type Clock,
  type ScreenView,
  type PageId,
  type KioskEventMap,
} from './kiosk/index.ts';
export { attachKioskPanel, displayViewOf, type KioskPanel, type PanelTarget } from './kiosk/panel.ts';
export { translate, LANGS, type Lang, type MessageRef } from './i18n/index.ts';
export { AppendLog } from './store/append-log.ts';
export { BrandingCache, type KioskBranding } from './branding/index.ts';
