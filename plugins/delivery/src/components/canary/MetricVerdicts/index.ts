export { MetricVerdicts, ClassificationChip } from './MetricVerdicts';
