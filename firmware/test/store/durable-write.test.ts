// The controller's durable write under the contract every deployable's copy keeps.
import t from 'tap';
import { AppendFile, writeFileDurable } from '../../src/store/durable-write.ts';
import { durableWriteContract } from '../../../scripts/test/contracts/durable-write.contract.ts';

durableWriteContract(t, 'firmware', { writeFileDurable, openAppend: (path) => AppendFile.open(path) });
