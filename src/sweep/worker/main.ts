// The sweep worker process (bundled to dist/worker.js, started by client.ts with child_process.fork):
// training runs here, never in the VS Code extension host or the CLI's own process.
import { createTrainer } from '../../trainer/engine/index';
import { openSweepDevice } from '../../trainer/engine/device';
import { projectDeps } from '../projectDeps';
import { serveWorker } from './serve';

serveWorker({ ...projectDeps, createTrainer, openDevice: (pref) => openSweepDevice(pref) });
