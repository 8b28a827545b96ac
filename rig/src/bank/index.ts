export { runSimBank, type RunSimBankOptions, type SimBank, type SimColumn, type SimKiosk } from './sim-bank.ts';
export { bankConfigSchema, loadBankConfig, validateBankConfig, BankConfigError, type BankConfig, type BankColumnConfig, type BankConfigProblem } from './bank-config.ts';
