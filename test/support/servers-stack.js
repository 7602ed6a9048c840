// Set up for each file of the e2e-servers project: the suites start their API on Kafka and MongoDB,
// where a step takes a round trip through the broker and the document server, so hooks get longer.
process.env.CRM_TEST_STACK = 'servers';
jest.setTimeout(60_000);
