// Where a run's spans go and under which service name: explicit options (launch configuration,
// CLI flags) first, then the standard OpenTelemetry environment variables, as every OpenTelemetry
// SDK honours them. No endpoint -> no export (spans are still built in memory for the report and
// the span tree). Pure: reads only the env object it is given.
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExporterOptions {
  /** Base OTLP/HTTP endpoint, e.g. `http://localhost:4318`; `/v1/traces` is appended. */
  endpoint?: string;
  /** Full traces URL, used as is. */
  tracesEndpoint?: string;
  /** Extra request headers (e.g. an API key); override the env's. */
  headers?: Record<string, string>;
  serviceName?: string;
  /** Export timeout in ms (covers retries). */
  timeoutMs?: number;
}

export type EndpointSource =
  | 'option:tracesEndpoint'
  | 'option:endpoint'
  | 'env:OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'env:OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'none'
  | 'disabled';

export interface ResolvedExporterConfig {
  /** The traces URL to POST to, or null for no export. */
  url: string | null;
  source: EndpointSource;
  headers: Record<string, string>;
  serviceName: string;
  /** Resource attributes from OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes: Record<string, string>;
  timeoutMs: number;
  /** Things the user should know (bad URL, unsupported protocol); never fatal. */
  warnings: string[];
}

export const DEFAULT_SERVICE_NAME = 'wasiscope';
export const DEFAULT_EXPORT_TIMEOUT_MS = 5000;

export function resolveExporterConfig(options: ExporterOptions = {}, env: Env = process.env): ResolvedExporterConfig {
  const warnings: string[] = [];
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let url: string | null = null;
  let source: EndpointSource = 'none';
  const accept = (raw: string, append: boolean, src: EndpointSource): boolean => {
    const u = append ? appendTracesPath(raw) : raw;
    if (!isHttpUrl(u)) {
      warnings.push(`ignoring OTLP endpoint ${JSON.stringify(raw)} (${src}): not an http(s) URL`);
      return false;
    }
    url = u;
    source = src;
    return true;
  };
  const disabled = get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' || get('OTEL_TRACES_EXPORTER')?.toLowerCase() === 'none';
  if (options.tracesEndpoint !== undefined && accept(options.tracesEndpoint, false, 'option:tracesEndpoint')) {
    // explicit full URL
  } else if (options.endpoint !== undefined && accept(options.endpoint, true, 'option:endpoint')) {
    // explicit base URL
  } else if (disabled) {
    source = 'disabled';
  } else {
    const t = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    const b = get('OTEL_EXPORTER_OTLP_ENDPOINT');
    if (t === undefined || !accept(t, false, 'env:OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) {
      if (b !== undefined) accept(b, true, 'env:OTEL_EXPORTER_OTLP_ENDPOINT');
    }
  }

  const protocol = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? get('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (url !== null && protocol !== undefined && protocol !== 'http/json') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: spans are sent as OTLP/HTTP JSON`);
  }

  const headers: Record<string, string> = {
    ...parseKeyPairsIntoRecord(get('OTEL_EXPORTER_OTLP_HEADERS')),
    ...parseKeyPairsIntoRecord(get('OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
    ...(options.headers ?? {}),
  };
  const resourceAttributes = parseKeyPairsIntoRecord(get('OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName = options.serviceName ?? get('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? DEFAULT_SERVICE_NAME;

  let timeoutMs = options.timeoutMs;
  if (timeoutMs === undefined) {
    const raw = get('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? get('OTEL_EXPORTER_OTLP_TIMEOUT');
    const n = raw === undefined ? NaN : Number(raw);
    timeoutMs = Number.isFinite(n) && n > 0 ? n : DEFAULT_EXPORT_TIMEOUT_MS;
  }
  return { url, source, headers, serviceName, resourceAttributes, timeoutMs, warnings };
}

/** `http://h:4318` and `http://h:4318/` -> `http://h:4318/v1/traces`; a base path is kept. */
export function appendTracesPath(base: string): string {
  return base.endsWith('/') ? `${base}v1/traces` : `${base}/v1/traces`;
}

function isHttpUrl(u: string): boolean {
  try {
    const p = new URL(u);
    return p.protocol === 'http:' || p.protocol === 'https:';
  } catch {
    return false;
  }
}
