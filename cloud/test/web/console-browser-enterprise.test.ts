// The console in a real Chromium, its enterprise set-up screens: security, and retention and erasure.
import { runJourneys } from './run-journeys.ts';

runJourneys(['security', 'retention']);
