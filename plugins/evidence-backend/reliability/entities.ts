/** The entities the reliability writers append to. */
export const ENTITIES = Array.from(
  { length: 8 },
  (_, i) => `component:default/reliability-${i}`,
);
