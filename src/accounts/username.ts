/**
 * The one canonical form of a username, decided here and nowhere else: Unicode NFKC, then full case
 * folding. Registration stores it (users.username_key, unique), and login, the per-username login
 * limit and every lookup compare only it, so `KIMI`, `ｋｉｍｉ` (full width) and `kimi` are one name
 * while `kİmi` (U+0130) is another one that no account can have (usernames are ASCII).
 */

/**
 * NFKC_Casefold, near enough for names: NFKC, then upper-then-lower case, which folds what lower case
 * alone leaves (ß → ss, ﬃ → ffi), final sigma made ordinary, and NFKC again for what folding composed.
 */
export function canonicalUsername(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().replaceAll('ς', 'σ').normalize('NFKC');
}
