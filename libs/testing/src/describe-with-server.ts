// Integration specs take their servers from the environment that infra/up.sh writes (.infra/env).

/**
 * `describe` with the server the variable names (its value is passed on), else `describe.skip` after
 * saying once why: every suite that needs a real server skips the same way, and says so.
 */
export function describeWithServer(variable: string, server: string, name: string, body: (value: string) => void): void {
  const value = process.env[variable];
  if (!value) {
    // Straight to stderr: Jest drops the console output of a file whose tests are all skipped when it runs several files.
    process.stderr.write(`${name}: SKIPPED, ${variable} is not set (bash infra/up.sh ${server}; set -a; . .infra/env; set +a)\n`);
    describe.skip(`${name} (${variable} not set)`, () => body(''));
    return;
  }
  describe(name, () => body(value));
}

/** `describe` with a MongoDB-wire server (MONGO_URL), else `describe.skip` after saying once why. */
export function describeWithMongo(name: string, body: (url: string) => void): void {
  describeWithServer('MONGO_URL', 'mongo', name, body);
}
