#!/usr/bin/env node
// `./portal bench`: not built yet (its own issue fills it in).
console.error('portal: "bench" is not built yet');
process.exit(2);
