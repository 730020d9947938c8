import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CoreFunctions } from './functions';
import { Crate, isGiven, ResolvedProps } from './props';

/**
 * The WebSocket stage's access log format. It names no query string: the token travels in
 * $connect's ?token=.
 */
export const WEBSOCKET_ACCESS_LOG_FORMAT =
  '{"requestId":"$context.requestId","requestTime":"$context.requestTime", ' +
  '"eventType":"$context.eventType","routeKey":"$context.routeKey", ' +
  '"connectionId":"$context.connectionId","messageId":"$context.messageId", ' +
  '"status":"$context.status","principalId":"$context.authorizer.principalId", ' +
  '"authorizeStatus":"$context.authorize.status","authorizerError":"$context.authorizer.error", ' +
  '"integrationStatus":"$context.integration.status","integrationError":"$context.integration.error", ' +
  '"integrationLatency":"$context.integration.latency","error":"$context.error.message", ' +
  '"errorType":"$context.error.responseType","sourceIp":"$context.identity.sourceIp"}';

/**
 * The HTTP stage's access log format. $context.path is the path alone (no query string: the
 * unsubscribe link's ?token= is never logged); every route is ANY /{proxy+}, so the path is what
 * tells requests apart.
 */
export const HTTP_ACCESS_LOG_FORMAT =
  '{"requestId":"$context.requestId","requestTime":"$context.requestTime", ' +
  '"httpMethod":"$context.httpMethod","path":"$context.path","routeKey":"$context.routeKey", ' +
  '"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength", ' +
  '"responseLatency":"$context.responseLatency","integrationStatus":"$context.integration.status", ' +
  '"integrationLatency":"$context.integration.latency","integrationError":"$context.integration.error", ' +
  '"error":"$context.error.message","sourceIp":"$context.identity.sourceIp", ' +
  '"userAgent":"$context.identity.userAgent"}';

/** The Lambda integration URI API Gateway calls a function (here its alias `live`) with. */
function invocationUri(fn: lambda.IFunction): string {
  return `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`;
}

/** An execute-api ARN of this account and region. */
function executeApiArn(apiId: string, path: string): string {
  return `arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${apiId}/${path}`;
}

/**
 * An AWS_PROXY integration with a function that grants nothing by itself.
 * WebSocketLambdaIntegration would add one Lambda permission per route; template.yaml gives each
 * function one permission for all its routes (ws-message's: any stage, any route), added below.
 */
class WebSocketLambdaProxy extends apigwv2.WebSocketRouteIntegration {
  constructor(
    id: string,
    private readonly handler: lambda.IFunction,
  ) {
    super(id);
  }

  bind(): apigwv2.WebSocketRouteIntegrationConfig {
    return { type: apigwv2.WebSocketIntegrationType.AWS_PROXY, uri: invocationUri(this.handler) };
  }
}

/** The WebSocket API alone: the functions' environment names it before its routes exist. */
export function createWebSocketApi(scope: Construct): apigwv2.WebSocketApi {
  return new apigwv2.WebSocketApi(scope, 'WebSocketApi', {
    apiName: `${Aws.STACK_NAME}-ws`,
    routeSelectionExpression: '$request.body.action',
  });
}

export interface MissiveApis {
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly httpApi: apigwv2.CfnApi;
  readonly httpApiStage: apigwv2.CfnStage;
  readonly webSocketAccessLogGroup: logs.LogGroup;
  readonly httpApiAccessLogGroup: logs.LogGroup;
  /** The account's API Gateway CloudWatch Logs role, when apiGatewayLogsRole is `create`. */
  readonly apiGatewayCloudWatchRole?: iam.Role;
  /** The WebSocket API's custom domain, when webSocketDomainName is given. */
  readonly webSocketDomain?: apigwv2.CfnDomainName;
  /** The HTTP API's custom domain, when httpApiDomainName is given. */
  readonly httpApiDomain?: apigwv2.CfnDomainName;
}

/** Routes, integrations, authorizer, permissions and stage of the WebSocket API; the HTTP API. */
export function createApis(
  scope: Construct,
  webSocketApi: apigwv2.WebSocketApi,
  functions: CoreFunctions,
  props: ResolvedProps,
): MissiveApis {
  // Every caller names the function's alias `live`, never the function itself ($LATEST).
  const fn = (crate: Crate) => functions[crate].alias;
  const apiGateway = new iam.ServicePrincipal('apigateway.amazonaws.com');

  const accessLogGroup = (id: string, name: string) =>
    new logs.LogGroup(scope, id, {
      logGroupName: `/aws/apigateway/${Aws.STACK_NAME}/${name}`,
      retention: props.logRetention as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  const webSocketAccessLogGroup = accessLogGroup('WebSocketAccessLogGroup', 'websocket-access');
  const httpApiAccessLogGroup = accessLogGroup('HttpApiAccessLogGroup', 'http-access');

  // ---------------------------------------------------------------- WebSocket API
  // The REQUEST authorizer of $connect; the L2 authorizer grants API Gateway the invocation from
  // this authorizer only (…/authorizers/<id>), as template.yaml's WsAuthorizerPermission.
  const authorizer = new authorizers.WebSocketLambdaAuthorizer('WebSocketAuthorizer', fn('ws-authorizer'), {
    authorizerName: 'token',
    identitySource: ['route.request.querystring.token'],
  });
  const message = new WebSocketLambdaProxy('MessageIntegration', fn('ws-message'));
  const routes = [
    webSocketApi.addRoute('$connect', { integration: new WebSocketLambdaProxy('ConnectIntegration', fn('ws-connect')), authorizer }),
    webSocketApi.addRoute('$disconnect', { integration: new WebSocketLambdaProxy('DisconnectIntegration', fn('ws-disconnect')) }),
    // The other actions (editMessage, deleteMessage, markRead, typing, sync) reach ws-message
    // through $default; sendMessage and ping have their own routes to show up separately in API
    // Gateway's metrics. The three share one integration.
    webSocketApi.addRoute('$default', { integration: message }),
    webSocketApi.addRoute('sendMessage', { integration: message }),
    webSocketApi.addRoute('ping', { integration: message }),
  ];
  fn('ws-connect').addPermission('WsConnectPermission', {
    principal: apiGateway,
    sourceArn: executeApiArn(webSocketApi.apiId, '*/$connect'),
  });
  fn('ws-disconnect').addPermission('WsDisconnectPermission', {
    principal: apiGateway,
    sourceArn: executeApiArn(webSocketApi.apiId, '*/$disconnect'),
  });
  fn('ws-message').addPermission('WsMessagePermission', {
    principal: apiGateway,
    sourceArn: executeApiArn(webSocketApi.apiId, '*/*'),
  });

  // AutoDeploy: every change to the routes, integrations or authorizer is deployed to the stage.
  // Access logs only; execution logs stay off (at INFO they would record requests and, with data
  // tracing, whole frames). X-Ray: not supported on WebSocket APIs.
  const webSocketStage = new apigwv2.WebSocketStage(scope, 'WebSocketStage', {
    webSocketApi,
    stageName: props.stageName,
    autoDeploy: true,
    detailedMetricsEnabled: true,
    throttle: { burstLimit: props.webSocketThrottlingBurstLimit, rateLimit: props.webSocketThrottlingRateLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(webSocketAccessLogGroup),
      format: apigateway.AccessLogFormat.custom(WEBSOCKET_ACCESS_LOG_FORMAT),
    },
  });
  // The stage waits for the routes, so that its first deployment has them.
  for (const route of routes) {
    webSocketStage.node.addDependency(route);
  }

  // WebSocket (and REST) API logging writes through one role per account and region, set in API
  // Gateway's account settings (HTTP APIs use a service-linked role instead). Both are kept when
  // the stack is deleted: the account setting would otherwise point at a deleted role and break
  // the logs of every other API in the region.
  let apiGatewayCloudWatchRole: iam.Role | undefined;
  if (props.apiGatewayLogsRole === 'create') {
    apiGatewayCloudWatchRole = new iam.Role(scope, 'ApiGatewayCloudWatchRole', {
      assumedBy: apiGateway,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    apiGatewayCloudWatchRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigateway.CfnAccount(scope, 'ApiGatewayAccount', {
      cloudWatchRoleArn: apiGatewayCloudWatchRole.roleArn,
    });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // The stage waits for the account's logs role when this stack sets it.
    webSocketStage.node.addDependency(account);
  }

  // ---------------------------------------------------------------- HTTP API
  // Defined by an OpenAPI body, as SAM's AWS::Serverless::HttpApi makes it: one route,
  // ANY /{proxy+}, to http-api with payload format 2.0. (The HttpApi L2 would add an
  // AWS::ApiGatewayV2::Route and an Integration for the same thing, and a $default stage.)
  // HTTP APIs do not support X-Ray tracing (the functions trace themselves).
  const httpApi = new apigwv2.CfnApi(scope, 'HttpApi', {
    body: {
      openapi: '3.0.1',
      info: { version: '1.0', title: Aws.STACK_NAME },
      paths: {
        '/{proxy+}': {
          'x-amazon-apigateway-any-method': {
            'x-amazon-apigateway-integration': {
              httpMethod: 'POST',
              type: 'aws_proxy',
              uri: invocationUri(fn('http-api')),
              payloadFormatVersion: '2.0',
            },
            responses: {},
            parameters: [{ required: true, name: 'proxy+', in: 'path' }],
          },
        },
      },
    },
  });
  const httpApiStage = new apigwv2.CfnStage(scope, 'HttpApiStage', {
    apiId: httpApi.ref,
    stageName: props.stageName,
    autoDeploy: true,
    defaultRouteSettings: {
      detailedMetricsEnabled: true,
      throttlingBurstLimit: props.httpApiThrottlingBurstLimit,
      throttlingRateLimit: props.httpApiThrottlingRateLimit,
    },
    accessLogSettings: {
      destinationArn: httpApiAccessLogGroup.logGroupArn,
      format: HTTP_ACCESS_LOG_FORMAT,
    },
  });
  fn('http-api').addPermission('EverythingPermission', {
    principal: apiGateway,
    sourceArn: executeApiArn(httpApi.ref, '*/*/*'),
  });

  // ---------------------------------------------------------------- custom domains
  // Optional (regional endpoints, TLS 1.2), each mapped to its API's stage at the domain's root:
  // wss://ws.chat.example.com/ and https://api.chat.example.com/v1/… The mappings name the stages
  // by reference, so that they wait for them.
  const customDomain = (id: string, domainName: string, apiId: string, stage: string) => {
    if (!isGiven(domainName)) {
      return undefined;
    }
    const domain = new apigwv2.CfnDomainName(scope, id, {
      domainName,
      domainNameConfigurations: [{ certificateArn: props.certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' }],
    });
    new apigwv2.CfnApiMapping(scope, `${id}Mapping`, { domainName: domain.ref, apiId, stage });
    return domain;
  };
  const webSocketDomain = customDomain(
    'WebSocketDomain',
    props.webSocketDomainName,
    webSocketApi.apiId,
    (webSocketStage.node.defaultChild as apigwv2.CfnStage).ref,
  );
  const httpApiDomain = customDomain('HttpApiDomain', props.httpApiDomainName, httpApi.ref, httpApiStage.ref);

  return {
    webSocketStage,
    httpApi,
    httpApiStage,
    webSocketAccessLogGroup,
    httpApiAccessLogGroup,
    apiGatewayCloudWatchRole,
    webSocketDomain,
    httpApiDomain,
  };
}
