// sequence.test.ts against Mosquitto run with the files the cloud generates.
import { againstMosquitto } from '../broker.ts';

await againstMosquitto(() => import('../sequence.test.ts'));
