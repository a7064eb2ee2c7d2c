// The analysis API: pure functions over run histories and summaries (no engine, no vscode).
export { ANALYSIS_DEFAULTS, AnalysisOptionsSchema, analysisOptions, chanceAcc, floorAccOf, type AnalysisOptions } from './options';
export { regimeOf, REGIMES, MEMORIZATION_FIRST, type RegimeOptions, type RegimeReport } from './regime';
export { convergedComponents, convergedOutcome, endWindow, median, type ConvergedOutcome, type OutcomeOptions } from './outcome';
export { pairOutcome, type PairOutcome, type PairReport } from './pair';
export { groupRuns, groupBy, paramKey, sharedParams, withoutAxes, type RunGroup } from './groups';
export { criticalDataSize, isotonic, type DataRun, type BootstrapOptions } from './cds';
export { formatBracket, formatCds, formatInterval, formatMemorization, formatRandomCount, formatSize } from './format';
export { memorizationCapacity, type MemorizationCapacity, type MemorizationRun } from './memorization';
export { regimeMapData, type RegimeMapData, type RegimeMapAxes, type RegimePanel, type RegimeCell, type BoundaryPoint } from './regimeMap';
export { uShape, type UShape, type SizeAcc } from './uShape';
export { emergence, type Emergence, type EmergenceOptions, type ComponentPoint } from './emergence';
export { planCdsSearch, nextProbes, probeParams, type CdsSearchState, type GroupSearch, type Probe, type ProbeResult, type SearchStep, type SearchConfig, type SearchPlanOptions } from './search';
export { summarize, summarizeRun, budgetOf, analysisOptionsOf, dataAxisOf, numClassesOf, type RunWithHistory } from './summarize';
export { componentValAcc, dataRunOf, isFinished, numericParam, outcomeOf, SEED_AXIS } from './runs';
export { componentOfAxis, opComponents, randomCountAccuracy, type AxisComponent, type RandomCountAccuracy } from './mixtureSize';
export { forecastRun, circuitStep, FORECAST_DEFAULTS, type RunForecast, type ForecastOptions } from './forecast';
export { checkForecast, replayForecastStop, forecastSaysStop, type ForecastCheck, type ForecastStopReplay } from './forecastEval';
export { firstCrossing, type Crossing, type CrossingKind } from './stats';
