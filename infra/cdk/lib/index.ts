export { Missive, MissiveQueues } from './missive';
export {
  ALL_CRATES,
  CANARY_CRATE,
  CRATES,
  Crate,
  DEFAULT_LAMBDA_DIRECTORY,
  DEPLOY_CHECK_CRATE,
  DeploymentType,
  ENVIRONMENT_SETTINGS,
  EnvironmentSettings,
  LOG_RETENTION_DAYS,
  MISSIVE_DEFAULTS,
  MissiveEnvironment,
  MissiveProps,
  MissivePropsError,
} from './props';
export { ALARM_SEVERITY, AlarmName, AlarmSeverity, InsightRuleName, OperationsAlarmName } from './alarms';
export { DEPLOY_ALARMS, DeployAlarmName } from './deploys';
export { CanaryEndpoints, FunctionCrate, LIVE_ALIAS } from './functions';
export { HTTP_ACCESS_LOG_FORMAT, WEBSOCKET_ACCESS_LOG_FORMAT } from './apis';
