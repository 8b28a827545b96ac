// The console in a real Chromium, its branding screen.
import { runJourneys } from './run-journeys.ts';

runJourneys(['branding']);
