import picomatch from 'picomatch';

/** Options of {@link wildcardMatcher}. */
export interface WildcardOptions {
  /**
   * `?` matches any one character too (IAM action patterns); otherwise only `*` is a
   * wildcard. @default false
   */
  readonly questionMark?: boolean;
  /** Match regardless of case (IAM action names). @default false */
  readonly ignoreCase?: boolean;
}

/**
 * A test for patterns where `*` matches any run of characters, `/` and `.` included
 * (construct paths, stack names, Terraform addresses, IAM actions), and every other
 * character is literal: picomatch with its glob syntax (braces, brackets, extglobs,
 * negation, `**` segments) turned off and bash's single-star-as-globstar rule on.
 */
export function wildcardMatcher(pattern: string, options: WildcardOptions = {}): (text: string) => boolean {
  // picomatch has no switch for a literal `?`; an escaped one is literal.
  const glob = options.questionMark ? pattern : pattern.replace(/\?/g, '\\?');
  return picomatch(glob, {
    bash: true,
    dot: true,
    nobrace: true,
    nobracket: true,
    noextglob: true,
    nonegate: true,
    nocase: options.ignoreCase ?? false,
  });
}
