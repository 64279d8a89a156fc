export { EntityTrendChart } from './EntityTrendChart';
export { PlatformTrendChart } from './PlatformTrendChart';
