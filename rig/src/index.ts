// Rigs that run the simulator's virtual hardware under the real firmware: a simulated bank of real controllers
// (`portier-sim bank`), the terminal kiosk over a real kiosk engine (`portier-sim kiosk`), and the `portier-sim`
// program itself. The demo and the end-to-end tests build on these.
export * from './bank/index.ts';
export { runTerminalKiosk, type TerminalEngine, type TerminalKioskOptions } from './kiosk-terminal/index.ts';
export { DEMO_CODES, VirtualDoorsPort, demoDesiredState } from './kiosk-terminal/demo.ts';
