// The Postgres connector: source (snapshot + CDC over many tables) and destination (routed writes).
// `source/` and `destination/` are independent modules; this file only assembles the connector.
export {};
