// The console in a real Chromium, its set-up screens of the organisation: the tree down to lockers, and departments.
import { runJourneys } from './run-journeys.ts';

runJourneys(['organisation', 'departments']);
