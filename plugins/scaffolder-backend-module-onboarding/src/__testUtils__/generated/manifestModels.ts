/**
 * Which kubernetes-models class describes each generated kind. Both checks
 * below use the models' own definitions: the generated JSON-schema
 * validators (types, formats, required fields) and their TypeScript
 * interfaces (unknown fields: the schemas accept any extra key, the
 * interfaces' excess-property checks do not).
 */
export const MODELS: Record<string, { module: string; name: string }> = {
  'v1/Namespace': { module: 'kubernetes-models/v1', name: 'Namespace' },
  'v1/ServiceAccount': {
    module: 'kubernetes-models/v1',
    name: 'ServiceAccount',
  },
  'v1/Service': { module: 'kubernetes-models/v1', name: 'Service' },
  'apps/v1/Deployment': {
    module: 'kubernetes-models/apps/v1',
    name: 'Deployment',
  },
  'policy/v1/PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1',
    name: 'PodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2',
    name: 'HorizontalPodAutoscaler',
  },
  'security.istio.io/v1beta1/PeerAuthentication': {
    module: '@kubernetes-models/istio/security.istio.io/v1beta1',
    name: 'PeerAuthentication',
  },
  'security.istio.io/v1beta1/RequestAuthentication': {
    module: '@kubernetes-models/istio/security.istio.io/v1beta1',
    name: 'RequestAuthentication',
  },
  'security.istio.io/v1beta1/AuthorizationPolicy': {
    module: '@kubernetes-models/istio/security.istio.io/v1beta1',
    name: 'AuthorizationPolicy',
  },
  'networking.istio.io/v1beta1/DestinationRule': {
    module: '@kubernetes-models/istio/networking.istio.io/v1beta1',
    name: 'DestinationRule',
  },
  'networking.istio.io/v1beta1/VirtualService': {
    module: '@kubernetes-models/istio/networking.istio.io/v1beta1',
    name: 'VirtualService',
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
    name: 'PodMonitor',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
    name: 'PrometheusRule',
  },
};

export const modelKey = (doc: { apiVersion?: string; kind?: string }) =>
  `${doc.apiVersion}/${doc.kind}`;
