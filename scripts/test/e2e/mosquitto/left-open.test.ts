// left-open.test.ts against Mosquitto run with the files the cloud generates.
import { againstMosquitto } from '../broker.ts';

await againstMosquitto(() => import('../left-open.test.ts'));
