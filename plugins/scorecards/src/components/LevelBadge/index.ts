export * from './LevelBadge';
