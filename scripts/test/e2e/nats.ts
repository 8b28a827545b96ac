// The NATS nodes of the cloud's broker tests (Debian `nats-server`, each node a process stopped by its PID), for the
// scripts that run a cluster (`make demo-cluster`): the one implementation, reached through a test folder.
export { NATS_SERVER, natsMissing, natsNodeArgs, NatsNodeProcess, startNatsNodes } from '../../../cloud/test/mqtt/helpers/nats.ts';
