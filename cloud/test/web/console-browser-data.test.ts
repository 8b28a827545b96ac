// The console in a real Chromium, its set-up screens about data and notices: custom fields, e-mail templates and who
// is told of what, and the scheduled SFTP import (against a real OpenSSH server where one can be started).
import { runJourneys } from './run-journeys.ts';

runJourneys(['customFields', 'notifications', 'imports']);
