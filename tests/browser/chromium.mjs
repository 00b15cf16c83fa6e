// What every browser test and the benchmark start Debian's Chromium with: headless,
// and none of the background connections this machine's closed network would refuse
// (they are console noise, and at start-up a failed lookup of Google's hosts).
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
