// flows/outage.ts on the cloud's embedded broker, then on Mosquitto, then on a three-node NATS cluster, in this one
// process.
import { onEveryBroker } from './both-brokers.ts';

onEveryBroker(import.meta.url, './flows/outage.ts');
