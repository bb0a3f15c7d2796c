// The integration project's provided values (pgUrl, kafkaBrokers, kafka39Brokers) for `inject`.
import type {} from '../../testing/src/global-setup.js';
