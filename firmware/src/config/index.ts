export * from './schema.ts';
export { validate, loadConfigFile, readConfigDocument, type ValidationResult } from './validate.ts';
export { describeIssues, formatProblems, type ConfigProblem } from './issues.ts';
export { applyEnvOverrides, envOverrideLayer, ENV_PREFIX } from './env.ts';
