/**
 * An error the user can fix: printed as one line with what to do, no stack trace (unless
 * --verbose), and exit code 2.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}
