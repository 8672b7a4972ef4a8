#!/usr/bin/env node
// `./portal e2e`: not built yet (its own issue fills it in).
console.error('portal: "e2e" is not built yet');
process.exit(2);
