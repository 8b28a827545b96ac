export { GpioBus, type GpioBusOptions, type GpioDoorPins } from './gpio-bus.ts';
export { PinMode, type IoPlugin, type IoPin } from './io-plugin.ts';
