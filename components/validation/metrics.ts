// The metrics settings: the exporter sidecar's switch, the namespace its scraper runs in (a namespace name),
// and the Prometheus Operator objects, which watch the exporters and so need them.

import { DNS1123_LABEL } from "./names";
import { Problems, show } from "./problems";

/** Longest namespace name (an RFC 1123 label). */
const MAX_NAMESPACE = 63;

export interface MetricsSettings {
    metrics: boolean | undefined;
    metricsNamespace: string | undefined;
    monitoringCrds: boolean | undefined;
}

export function checkMetrics(problems: Problems, settings: MetricsSettings): MetricsSettings {
    const { metrics, metricsNamespace, monitoringCrds } = settings;
    let namespace = metricsNamespace;
    if (namespace !== undefined && !(DNS1123_LABEL.test(namespace) && namespace.length <= MAX_NAMESPACE)) {
        namespace = problems.add(
            `\`metricsNamespace\` is ${show(namespace)}: use the name of the namespace your Prometheus runs in, a DNS ` +
                `label of at most ${MAX_NAMESPACE} characters, e.g. "monitoring".`,
        );
    }
    if (monitoringCrds === true && metrics === false) {
        problems.add(
            "`monitoringCrds` is true but `metrics` is false: the PodMonitor and the PrometheusRule watch the exporters, " +
                "which only `metrics: true` adds; set `metrics` to true, or `monitoringCrds` to false.",
        );
        return { metrics, metricsNamespace: namespace, monitoringCrds: undefined };
    }
    return { metrics, metricsNamespace: namespace, monitoringCrds };
}
