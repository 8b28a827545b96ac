// The cloud's durable write under the contract every deployable's copy keeps.
import t from 'tap';
import { AppendFile, writeFileDurable } from '../../src/store/durable-write.ts';
import { durableWriteContract } from '../../../scripts/test/contracts/durable-write.contract.ts';

durableWriteContract(t, 'cloud', { writeFileDurable, openAppend: (path) => AppendFile.open(path) });
