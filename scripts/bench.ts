export {};
// `npm run bench -- <name>`: benchmarks with targets from the issues; figures go to stdout as JSON.
const benches: Record<string, () => Promise<unknown>> = {
  devices: async () => (await import('./bench/devices')).benchDevices(),
  billing: async () => (await import('./bench/billing')).benchBilling(),
  monthly: async () => (await import('./bench/monthly')).benchMonthly(),
  ingest: async () => (await import('./bench/ingest')).benchIngest(),
  delivery: async () => (await import('./bench/delivery')).benchDelivery(),
  pruefung: async () => (await import('./bench/pruefung')).benchPruefung(),
  'cluster-devices': async () => (await import('./bench/cluster-devices')).benchClusterDevices(),
};

const name = process.argv[2];
const bench = name ? benches[name] : undefined;
if (!bench) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
const result = await bench();
console.log(JSON.stringify(result, null, 2));
process.exit(0);
