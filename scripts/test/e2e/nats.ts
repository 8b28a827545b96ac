// The NATS cluster nodes of the cloud's broker tests (Debian `nats-server` run with the files portier-cloud writes),
// for the runs of scripts that need them (the cluster fan-in bench): the one implementation, reached through a test
// folder.
export { NatsNodeProcess, natsMissing } from '../../../cloud/test/mqtt/helpers/nats.ts';
