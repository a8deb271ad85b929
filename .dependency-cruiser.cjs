// The dependency arrows of docs/architecture.md, enforced in CI:
//   common    -> (nothing)
//   metadata  -> common            protocol -> common
//   bookie    -> protocol, metadata, common
//   ledger    -> protocol, metadata, common
//   objectstore -> ledger, metadata, common
//   broker    -> protocol, metadata, ledger, objectstore, common
//   client    -> protocol, common
//   cli       -> anything
// A part imports another part only through that part's index.ts, and there are no cycles.
const parts = 'common|metadata|protocol|bookie|ledger|objectstore|broker|client|cli';
const allowed = {
  common: [],
  metadata: ['common'],
  protocol: ['common'],
  bookie: ['protocol', 'metadata', 'common'],
  ledger: ['protocol', 'metadata', 'common'],
  objectstore: ['ledger', 'metadata', 'common'],
  broker: ['protocol', 'metadata', 'ledger', 'objectstore', 'common'],
  client: ['protocol', 'common'],
};

const arrowRules = Object.entries(allowed).map(([from, to]) => ({
  name: `${from}-depends-only-on-${to.join('-') || 'nothing'}`,
  severity: 'error',
  from: { path: `^${from}/` },
  to: { path: `^(${parts})/`, pathNot: `^(${[from, ...to].join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'only-through-index',
      comment: "another part's internals are private: import its index.ts (or a backend's own entry point: metadata/etcd/index.ts, objectstore/s3/index.ts)",
      severity: 'error',
      from: { path: `^(${parts})/` },
      to: { path: `^(${parts})/(?!index\\.ts$)(?!etcd/index\\.ts$)(?!s3/index\\.ts$)`, pathNot: '^$1/' },
    },
    ...arrowRules,
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      from: { path: `^(${parts})/` },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    includeOnly: `^(${parts})/`,
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
