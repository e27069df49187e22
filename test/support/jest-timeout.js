// Integration tests start browsers and processes: allow them minutes, not seconds.
jest.setTimeout(120000);
