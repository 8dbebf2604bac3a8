// Shim so that `node --test tools/iameval/` works on Node 22: the test runner treats a
// directory argument as a module path and loads this index.js, which loads the real tests.
// (Equivalent: `node --test tools/iameval/evaluate.test.mjs`.)
import('./evaluate.test.mjs');
