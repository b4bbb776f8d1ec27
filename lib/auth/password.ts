import bcrypt from "bcryptjs";

// bcrypt cost 10: ~60 ms on these machines — slow enough to hurt guessing, fast enough for sign-in.
const COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
