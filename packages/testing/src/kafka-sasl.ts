/** SASL for the throwaway Kafka: users (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and their listener. */
import type { ListenerSecurity } from './kafka-config.js';

/** A SASL user, known to the PLAIN and both SCRAM mechanisms. */
export interface KafkaSaslUser {
  username: string;
  password: string;
}

/**
 * SASL names and passwords go into a properties file, a JAAS line and the storage tool's
 * `--add-scram` syntax, each with its own escaping: allow only characters none of them treats
 * specially.
 */
export function checkSaslUser(u: KafkaSaslUser): void {
  for (const v of [u.username, u.password])
    if (!/^[A-Za-z0-9._-]+$/.test(v))
      throw new Error(
        `SASL user names and passwords for startKafka must match [A-Za-z0-9._-]+: ${v}`,
      );
}

/** The SASL_PLAINTEXT listener's properties, all three mechanisms enabled for `users`. */
export function saslListener(port: number, users: KafkaSaslUser[]): ListenerSecurity {
  const l = 'listener.name.sasl_plaintext';
  const jaasUsers = users.map((u) => `user_${u.username}="${u.password}"`).join(' ');
  const props: Record<string, string> = {
    [`${l}.sasl.enabled.mechanisms`]: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    [`${l}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required ${jaasUsers};`,
  };
  for (const m of ['scram-sha-256', 'scram-sha-512'])
    props[`${l}.${m}.sasl.jaas.config`] =
      'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return {
    listeners: [`SASL_PLAINTEXT://127.0.0.1:${port}`],
    protocols: ['SASL_PLAINTEXT:SASL_PLAINTEXT'],
    props,
  };
}

/** The storage tool's `--add-scram` arguments: SCRAM credentials live in the KRaft metadata log. */
export function scramFormatArgs(users: KafkaSaslUser[]): string[] {
  const args: string[] = [];
  for (const u of users)
    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
      args.push('--add-scram', `${m}=[name=${u.username},password=${u.password}]`);
  return args;
}
