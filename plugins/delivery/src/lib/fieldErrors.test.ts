import { ResponseError } from '@backstage/errors';
import { fieldErrorsOf } from './fieldErrors';

const FIELDS = ['version', 'baselineVersion', 'steps', 'simulation'] as const;

async function responseError(status: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        request: { method: 'POST', url: '/x' },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: 'x',
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );
}

describe('fieldErrorsOf', () => {
  it('puts OpenAPI validator messages on the fields they name', async () => {
    const e = await responseError(
      400,
      'InputError',
      "request/body must have required property 'version', request/body/steps/0 must be >= 1",
    );
    expect(fieldErrorsOf(e, FIELDS)).toEqual({
      fields: {
        version: "request/body must have required property 'version'",
        steps: 'steps/0 must be >= 1',
      },
      general: undefined,
    });
  });

  it('puts the backend’s own messages on their field and tells baselineVersion from version', async () => {
    const e = await responseError(
      400,
      'InputError',
      'baselineVersion: must differ from version; steps: must be strictly increasing and end at 100',
    );
    const split = fieldErrorsOf(e, FIELDS);
    expect(split.fields.baselineVersion).toBe(
      'baselineVersion: must differ from version',
    );
    expect(split.fields.steps).toBe(
      'steps: must be strictly increasing and end at 100',
    );
    expect(split.fields.version).toBeUndefined();
  });

  it('keeps a message that names no field, and every non-400, general', async () => {
    expect(
      fieldErrorsOf(
        await responseError(400, 'InputError', 'simulator is not configured'),
        FIELDS,
      ),
    ).toEqual({ fields: {}, general: 'simulator is not configured' });
    expect(
      fieldErrorsOf(
        await responseError(409, 'ConflictError', 'version 1.2 is active'),
        FIELDS,
      ),
    ).toEqual({ fields: {}, general: 'version 1.2 is active' });
  });
});
