/**
 * Record metadata: string keys to string values (Go `map[string]string`).
 * Typed getters/setters for every OpenCDC and Conduit key are added on this class.
 * Getters return `undefined` when the key is missing OR holds the empty string (upstream
 * treats both as "not found"); a present but malformed value throws `MetadataValueError`.
 */
export class Metadata extends Map<string, string> {
  getCollection(): string | undefined {
    const v = this.get('opencdc.collection');
    return v === '' ? undefined : v;
  }

  setCollection(collection: string): this {
    return this.set('opencdc.collection', collection);
  }
}
