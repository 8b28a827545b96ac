export { VirtualGpioBoard, type VirtualIoPin } from './io-plugin.ts';
export { VirtualPinBank, VirtualPinError, MODES, type GpioDoorWiring, type PinBankEventMap } from './pin-bank.ts';
export { FirmataDevice, FIRMATA, type ByteStream, type FirmataDeviceEventMap } from './firmata-device.ts';
export { startFirmataOnPty, type FirmataOnPty } from './firmata-pty.ts';
export { createDuplexPair } from './duplex-pair.ts';
