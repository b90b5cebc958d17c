import { InvalidInputError } from '@asof/core';

/** The table a `dynamodb://<table>` URL names (3 to 255 of `A-Za-z0-9_.-`): the one parser of DynamoDB URLs. */
export function parseDynamoDbUrl(url: string, what = 'DynamoDB table'): string {
  const table = /^dynamodb:\/\/([A-Za-z0-9_.-]{3,255})\/?$/i.exec(url)?.[1];
  if (table === undefined) throw new InvalidInputError(`invalid ${what} ${JSON.stringify(url)}: expected dynamodb://<table name>`);
  return table;
}
