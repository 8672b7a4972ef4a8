import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy* / waitFor give up after 1 s by default; on a loaded two-core CI machine a lazy-loaded card can take
// longer to appear. This bounds how long a test waits, it asserts nothing about speed.
configure({ asyncUtilTimeout: 15_000 });
