// The console in a real Chromium, its screens about people: the address book, users and roles.
import { runJourneys } from './run-journeys.ts';

runJourneys(['contacts', 'users']);
