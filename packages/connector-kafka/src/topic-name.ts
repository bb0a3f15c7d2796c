/**
 * Kafka's rule for topic names, as a validator for the sdk router (`RouterOptions.validateName`):
 * an error message, or `undefined` when the name is legal.
 */

const TOPIC = /^[a-zA-Z0-9._-]+$/;

/** A Kafka topic name: `^[a-zA-Z0-9._-]+$`, at most 249 characters, not `.` or `..`. */
export function kafkaTopicName(name: string): string | undefined {
  if (name === '.' || name === '..') return `topic name ${JSON.stringify(name)} is reserved`;
  if (name.length > 249) return `topic name is ${name.length} characters long (at most 249)`;
  if (!TOPIC.test(name))
    return `topic name ${JSON.stringify(name)} may only contain letters, digits, ".", "_" and "-"`;
  return undefined;
}
