/**
 * GS1 check digits for GTIN-8/12(UPC-A)/13(EAN-13)/14. Pure; shared by catalog validation, CSV import,
 * barcode scanning and the EPC decoder.
 */
export function gtinCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new Error('GTIN body must be digits');
  let sum = 0;
  // Weights alternate 3,1,3,… starting from the rightmost digit of the body.
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidGtin(code: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code)) return false;
  return gtinCheckDigit(code.slice(0, -1)) === Number(code[code.length - 1]);
}

/** Completes a 12-digit body into an EAN-13. */
export function ean13(body12: string): string {
  if (!/^\d{12}$/.test(body12)) throw new Error('EAN-13 body must be 12 digits');
  return body12 + String(gtinCheckDigit(body12));
}

/** GTIN-14 form (zero-padded) so 8/12/13/14-digit spellings of one item compare equal. */
export function toGtin14(code: string): string {
  return code.padStart(14, '0');
}

/**
 * Any GTIN spelling a scanner or a tag gives — GTIN-8, UPC-A (12), EAN-13, GTIN-14, with spaces — as
 * the GTIN-14 that identifies the item, or null when it is not a GTIN with a valid check digit.
 * UPC-A 036000291452, EAN-13 0036000291452 and GTIN-14 00036000291452 are one item.
 */
export function normaliseGtin(code: string): string | null {
  const digits = code.replace(/[\s-]/g, '');
  return isValidGtin(digits) ? toGtin14(digits) : null;
}
