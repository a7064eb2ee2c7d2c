// The results store's public API (see types.ts for the directory layout).
export * from './types';
export { readManifest, readSummary, readRunMetrics, readRunStatus, listRuns, isSweepDir } from './reader';
export { manifestPath, summaryPath, metricsPath, statusPath, runDir } from './layout';
