// The NATS nodes of the cloud's broker tests (Debian `nats-server` run with the files portier-cloud writes, each node a
// process stopped by its PID), for the scripts that run a cluster (`make demo-cluster`, the cluster fan-in bench): the
// one implementation, reached through a test folder.
export { NATS_SERVER, natsMissing, natsNodeArgs, NatsNodeProcess, startNatsNodes } from '../../../cloud/test/mqtt/helpers/nats.ts';
