export async function runDemo(_o: { seconds: number; signal: AbortSignal }): Promise<number> {
  return 0;
}
