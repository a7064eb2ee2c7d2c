// A sweep worker process wired to the fake engine (options from the FAKE_ENGINE env variable, JSON).
import { serveWorker } from '../../../src/sweep/worker/serve';
import { projectDeps } from '../../../src/sweep/projectDeps';
import { fakeCreateTrainer } from './fakeEngine';

serveWorker({ ...projectDeps, createTrainer: fakeCreateTrainer(JSON.parse(process.env.FAKE_ENGINE ?? '{}')) });
