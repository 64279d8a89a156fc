export { MetricCharts, chartData } from './MetricCharts';
