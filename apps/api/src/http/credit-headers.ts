// The x-renders-* headers every create answers with (hcti management-api/usage, "Response
// headers"): the allowance of the period (0: none), the credits this request spent, and those
// the account has used in the period.
import type { Response } from 'express';
import type { CreditState } from '../services/render-credits';

export function creditHeaders(state: CreditState): Record<string, string> {
  return {
    'x-renders-allowed': String(state.allowed),
    'x-renders-consumed': String(state.consumed),
    'x-renders-used': String(state.used),
  };
}

/** A create hook that writes the headers onto `res`. */
export const sendCredits = (res: Response) => (state: CreditState) => void res.set(creditHeaders(state));
