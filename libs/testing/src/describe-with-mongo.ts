// Integration specs take the server from the environment that infra/up.sh writes (.infra/env).
const MONGO_URL = process.env.MONGO_URL;

/** `describe` with a MongoDB-wire server (MONGO_URL), else `describe.skip` after saying once why. */
export function describeWithMongo(name: string, body: (url: string) => void): void {
  if (!MONGO_URL) {
    // Straight to stderr: Jest drops the console output of a file whose tests are all skipped when it runs several files.
    process.stderr.write(`${name}: SKIPPED, MONGO_URL is not set (bash infra/up.sh mongo; set -a; . .infra/env; set +a)\n`);
    describe.skip(`${name} (MONGO_URL not set)`, () => body(''));
    return;
  }
  describe(name, () => body(MONGO_URL));
}
