// Shared card helpers for the emulators: Luhn, brand, random ids.
import { randomBytes } from 'node:crypto';

export const luhn = (pan) => {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
};

export const brandOf = (pan) =>
  /^3[47]/.test(pan) ? 'Amex' : /^5[1-5]/.test(pan) || /^2[2-7]/.test(pan) ? 'MasterCard' : /^4/.test(pan) ? 'Visa' : 'Unknown';

export const randomId = (n = 24) => randomBytes(n).toString('base64url');

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789';
/** Letters and digits only, as Conekta's ids are (`ord_2tUigJ8DgBhbp6w5D`: the prefix and 17). */
export const alnumId = (n = 17) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');

/** Whether MM/YYYY is this month or later. */
export const notExpired = (month, year, now = new Date()) =>
  month >= 1 && month <= 12 && year * 100 + month >= now.getFullYear() * 100 + now.getMonth() + 1;
