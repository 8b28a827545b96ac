export * from './frame.ts';
export { Cu16Parser, type Cu16ParseEvent, type Cu16ParserEventMap } from './parser.ts';
export { KerongCu16Bus, serialPortFactory, type Cu16Port, type Cu16DoorAddress, type KerongCu16BusOptions } from './bus.ts';
export { BoardDialects, dialectFromConfig, type Cu16Dialect, type Cu16DialectOverride, type Cu16StatusQuery, type Cu16UnlockReply } from './dialect.ts';
export { PortKeeper, type PortKeeperOptions } from './port-keeper.ts';
