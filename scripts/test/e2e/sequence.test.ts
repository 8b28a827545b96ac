// flows/sequence.ts on the cloud's embedded broker, then on Mosquitto, in this one process.
import { onBothBrokers } from './both-brokers.ts';

onBothBrokers(import.meta.url, './flows/sequence.ts');
