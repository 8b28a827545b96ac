// The kiosk's touch screen: the page a browser in kiosk mode shows on the column's display, served by the kiosk
// controller on loopback (README: ../kiosk/README.md, "Touch screen").
export { startKioskScreen, type KioskScreen, type KioskScreenOptions, type ScreenBrandingSource } from './screen-server.ts';
export { screenInputSchema, screenWords, type ScreenInput, type ScreenViewEvent, type ScreenBrandingEvent, type ScreenNoticeEvent } from './screen-messages.ts';
