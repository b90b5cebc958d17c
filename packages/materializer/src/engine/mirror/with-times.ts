import { microsVector } from '@asof/core';
import { Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';

/** A source batch as mirror rows: its columns, then `event_ts = created_ts =` each row's version time (`micros`). */
export function withTimes(batch: RecordBatch, micros: BigInt64Array): RecordBatch {
  const time = microsVector(micros).data[0]!;
  // A separate buffer for each column: arrow's IPC writer mis-writes one Data shared by two columns.
  const created = microsVector(micros.slice()).data[0]!;
  const fields = [...batch.schema.fields.filter((f) => f.name !== 'event_ts' && f.name !== 'created_ts')];
  const children = fields.map((f) => batch.getChild(f.name)!.data[0]!);
  const schema = new Schema([...fields, new Field('event_ts', time.type, false), new Field('created_ts', time.type, true)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: [...children, time, created] }));
}
