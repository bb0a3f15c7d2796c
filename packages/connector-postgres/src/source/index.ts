/** The Postgres source side: parameters, factory, lifecycle hooks and declared features. */
import type { ConnectorSide, Source, SourceFeatures } from '@opencdc-ts/sdk';
import { quote } from '../sql.js';
import { type SourceConfig, sourceConfig } from './config.js';
import { connect, newClient } from './connection.js';
import { dropSlot } from './publication.js';
import { PostgresSource } from './source.js';

export { type SourceConfig, sourceConfig } from './config.js';
export { TOAST_UNCHANGED_KEY, TRUNCATE_KEY } from './decode.js';
export { PostgresSource } from './source.js';

export const sourceSide: ConnectorSide<SourceConfig, Source> = {
  config: sourceConfig,
  create: (config, ctx) => new PostgresSource(config, ctx),
  async onDeleted(config, ctx) {
    if (!config['logrepl.autoCleanup']) return;
    // A connection lost here fails the query below; the listener only keeps pg's 'error'
    // event from being unhandled (which would kill the process).
    const client = newClient({ url: config.url }, () => undefined);
    await connect(client, config.url);
    try {
      await dropSlot(client, config['logrepl.slotName']);
      if (config['logrepl.managePublication'])
        await client.query(
          `DROP PUBLICATION IF EXISTS ${quote(config['logrepl.publicationName'])}`,
        );
      ctx.logger.info('dropped replication slot and publication', {
        slot: config['logrepl.slotName'],
        publication: config['logrepl.publicationName'],
      });
    } finally {
      await client.end();
    }
  },
};

export const sourceFeatures: SourceFeatures = {
  multipleCollections: true,
  cdc: { snapshot: true, resume: true },
};
