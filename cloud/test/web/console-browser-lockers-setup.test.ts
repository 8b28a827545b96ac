// The console in a real Chromium, its set-up screens about carriers and locker banks: carriers and their printable
// QR codes, the banks' labels, the bank settings.
import { runJourneys } from './run-journeys.ts';

runJourneys(['carriers', 'labels', 'bankSettings']);
