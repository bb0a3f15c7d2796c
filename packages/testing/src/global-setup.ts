// Placeholder until the services land: see packages/testing.
export default async function setup(): Promise<void> {}
