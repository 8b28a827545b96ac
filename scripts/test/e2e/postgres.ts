// The PostgreSQL of the cloud's store tests (a cluster made with initdb in a temporary folder, on a loopback port),
// for the runs of scripts that need one (the PostgreSQL bench): the one implementation, reached through a test folder.
export { PG_BIN, postgresMissing, startPostgres, type TestPostgres } from '../../../cloud/test/store/pg-server.ts';
