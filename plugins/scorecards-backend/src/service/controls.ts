import {
  CheckDefinition,
  Control,
  EntityResult,
  toCsv,
} from '@assay/plugin-scorecards-common';

/**
 * The controls view: per framework control, the entity × check pairs that
 * evidence it (pass or waived) and those that do not, with the evidence
 * record hashes behind each.
 */
export class ControlsBuilder {
  private readonly byControl = new Map<string, Control>();

  constructor(checks: CheckDefinition[], framework?: string) {
    for (const check of checks) {
      for (const control of check.controls) {
        const fw = control.slice(0, control.indexOf(':'));
        if (framework && fw.toLowerCase() !== framework.toLowerCase()) continue;
        const c = this.byControl.get(control) ?? {
          control,
          framework: fw,
          checks: [],
          evidenced: [],
          notEvidenced: [],
        };
        c.checks.push(check.id);
        this.byControl.set(control, c);
      }
    }
  }

  add(result: EntityResult) {
    for (const check of result.checks) {
      for (const control of check.controls) {
        const c = this.byControl.get(control);
        if (!c || !c.checks.includes(check.id)) continue;
        const item = {
          entityRef: result.entityRef,
          checkId: check.id,
          status: check.status,
          reason: check.reason,
          evidence: check.evidence,
        };
        if (check.status === 'pass' || check.status === 'waived') {
          c.evidenced.push(item);
        } else {
          c.notEvidenced.push(item);
        }
      }
    }
  }

  controls(): Control[] {
    return [...this.byControl.values()].sort((a, b) =>
      a.control.localeCompare(b.control),
    );
  }

  static toCsv(controls: Control[]): string {
    const rows: unknown[][] = [];
    for (const c of controls) {
      for (const [evidenced, list] of [
        ['yes', c.evidenced],
        ['no', c.notEvidenced],
      ] as const) {
        for (const e of list) {
          rows.push([
            c.framework,
            c.control,
            e.entityRef,
            e.checkId,
            e.status,
            evidenced,
            e.reason,
            e.evidence.join(' '),
          ]);
        }
      }
    }
    return toCsv(
      [
        'framework',
        'control',
        'entityRef',
        'checkId',
        'status',
        'evidenced',
        'reason',
        'evidenceHashes',
      ],
      rows,
    );
  }
}
